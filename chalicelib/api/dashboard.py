"""Dealer API: the managers' dashboard (the funnel per seller and per site over a period) and its CSV."""
from chalice import Blueprint, Response

from chalicelib.api.auth import seller_auth
from chalicelib.api.http import current_staff, endpoint, parse_query
from chalicelib.documents import dashboard_chart
from chalicelib.documents.storage import attachment_disposition
from chalicelib.domain.funnel import Dashboard, DashboardQuery
from chalicelib.services import funnel

dashboard_api = Blueprint(__name__)
DASHBOARD = dict(authorizer=seller_auth, tag="dashboard")


@endpoint(dashboard_api, "/dashboard", summary="The funnel sent → viewed → signed → paid → handed over, conversion "
          "and median time to sign, per seller and per site (?from=YYYY-MM-DD&to=YYYY-MM-DD; managers, admins)",
          response=Dashboard, **DASHBOARD)
def read_dashboard():
    staff = current_staff(dashboard_api)
    return funnel.dashboard(staff, parse_query(DashboardQuery, dashboard_api.current_request).check())


@endpoint(dashboard_api, "/dashboard/export", summary="The dashboard's figures as CSV (?from=&to=; managers, admins)",
          **DASHBOARD)
def export_dashboard():
    staff = current_staff(dashboard_api)
    query = parse_query(DashboardQuery, dashboard_api.current_request).check()
    name = f"tableau-de-bord-{query.start.isoformat()}-{query.end.isoformat()}.csv"
    headers = {"Content-Type": "text/csv; charset=utf-8", "Content-Disposition": attachment_disposition(name)}
    return Response(body=funnel.as_csv(funnel.dashboard(staff, query)), status_code=200, headers=headers)


@endpoint(dashboard_api, "/dashboard/chart", summary="The dashboard's charts as SVG, drawn by the server (?from=&to=; "
          "managers, admins)", **DASHBOARD)
def dashboard_chart_svg():
    staff = current_staff(dashboard_api)
    query = parse_query(DashboardQuery, dashboard_api.current_request).check()
    svg = dashboard_chart.chart(funnel.dashboard(staff, query))
    return Response(body=svg, status_code=200, headers={"Content-Type": "image/svg+xml; charset=utf-8"})
