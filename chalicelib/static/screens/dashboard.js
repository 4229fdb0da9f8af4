// The managers' dashboard (managers, admins): the funnel sent → viewed → signed → paid → handed over,
// conversion and median time to sign per seller and per site over a period. The chart is an SVG the
// server draws (GET /dashboard/chart), shown as an image; its text alternative is the table of the same
// figures below it (GET /dashboard); "Exporter (CSV)" downloads them (GET /dashboard/export).
import { ApiError, apiUrl, download, get, query } from "../api.js";
import { session } from "../auth.js";
import { go } from "../nav.js";
import { add, field, FormProblem, h, input, onSubmit, rate, scrollingTable, toast, valueOf } from "../ui.js";

export const mayRead = () => ["manager", "admin"].includes(session.user()?.role);

export async function render({ main, query: asked }) {
  const today = new Date().toISOString().slice(0, 10);
  const from = asked.from || `${today.slice(0, 8)}01`;
  const to = asked.to || today;
  const period = query({ from, to });
  const [board, chart] = await Promise.all([get(`/dashboard${period}`), svgOf(`/dashboard/chart${period}`)]);
  add(main, h("div", { class: "page-head" }, h("h1", {}, "Tableau de bord")), periodForm(from, to));
  add(main,
    h("section", { class: "card", "aria-labelledby": "chart-title" },
      h("h2", { id: "chart-title" }, "Graphiques"),
      h("img", { class: "dashboard-chart", src: chart,
        alt: `Entonnoir du ${board.start} au ${board.end} : ${board.total.sent} envoyées, ${board.total.viewed} consultées, `
          + `${board.total.signed} signées, ${board.total.paid} acomptes payés, ${board.total.handed_over} remises. `
          + "Détail par vendeur et par agence dans les tableaux ci-dessous." })),
    figures("Concession", "Concession", [board.total]),
    figures("Par vendeur", "Vendeur", board.sellers),
    figures("Par agence", "Agence", board.sites),
    h("p", { class: "muted small" },
      "Chiffres tenus à chaque événement (premier envoi, première consultation, signature, acompte, remise), "
      + "au jour de l'événement. La médiane du délai de signature est estimée par tranches (1 h, 4 h, 24 h, 2, 3, 7, 14 et 30 jours)."));
}

function periodForm(from, to) {
  const form = h("form", { class: "inline-form", novalidate: true },
    h("div", { class: "form-error-slot" }),
    field("Du", input("from", from, { type: "date", required: true })),
    field("Au", input("to", to, { type: "date", required: true })),
    h("button", { type: "submit", class: "primary" }, "Afficher"),
    h("button", { type: "button", class: "secondary", onclick: exportCsv }, "Exporter (CSV)"));
  const chosen = () => {
    const period = { from: valueOf(form, "from"), to: valueOf(form, "to") };
    const missing = Object.fromEntries(Object.entries(period).filter(([, v]) => !v).map(([k]) => [k, "Field required"]));
    if (Object.keys(missing).length) throw new FormProblem(missing, "Choisissez les deux dates de la période.");
    return period;
  };
  async function exportCsv() {
    const { from: start, to: end } = chosen();
    await download(`/dashboard/export${query({ from: start, to: end })}`, `tableau-de-bord-${start}-${end}.csv`);
    toast("Export téléchargé.");
  }
  onSubmit(form, "Chargement…", async () => go(`#/dashboard${query(chosen())}`));
  return form;
}

function figures(title, scope, rows) {
  const id = `figures-${scope.toLowerCase()}`;
  return h("section", { class: "card", "aria-labelledby": id },
    h("h2", { id }, title),
    rows.length ? scrollingTable(title, h("table", { class: "table" },
      h("caption", { class: "visually-hidden" }, `${title} : entonnoir, conversion et délai médian de signature`),
      h("thead", {}, h("tr", {},
        h("th", { scope: "col" }, scope), ...["Envoyées", "Consultées", "Signées", "Acomptes payés", "Remises",
          "Conversion", "Délai médian de signature"].map((name) => h("th", { scope: "col", class: "num" }, name)))),
      h("tbody", {}, rows.map((row) => h("tr", {},
        h("th", { scope: "row" }, row.name),
        ...[row.sent, row.viewed, row.signed, row.paid, row.handed_over].map((n) => h("td", { class: "num" }, String(n))),
        h("td", { class: "num" }, row.conversion_percent === null ? "—" : rate(row.conversion_percent)),
        h("td", { class: "num" }, hours(row.median_hours_to_sign)))))))
      : h("p", { class: "muted" }, "Aucune activité sur la période."));
}

function hours(value) {
  if (value === null || value === undefined) return "—";
  return value < 48 ? `${String(value).replace(".", ",")} h` : `${String(Math.round(value / 2.4) / 10).replace(".", ",")} j`;
}

// The server's SVG, fetched with the token, as a data: URL an <img> shows (it runs nothing).
async function svgOf(path) {
  const response = await fetch(apiUrl(path), { headers: { Authorization: `Bearer ${session.token()}` }, cache: "no-store" });
  if (!response.ok) {
    const payload = await response.json().catch(() => null);
    throw new ApiError(response.status, payload?.error || { message: `Graphique indisponible (${response.status}).` });
  }
  return `data:image/svg+xml;charset=utf-8,${encodeURIComponent(await response.text())}`;
}
