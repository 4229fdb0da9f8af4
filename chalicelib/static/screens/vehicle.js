// One vehicle of the stock: what it is, its price and VAT regime, its status and reservation; "Modifier".
import { get } from "../api.js";
import { context, userName } from "../context.js";
import { add, badge, day, facts, h, money, when } from "../ui.js";
import { KINDS, VAT_REGIMES, VEHICLE_STATUS, mayEditStock, vehicleDialog } from "./vehicles.js";

export async function render({ main, params: [vehicleId] }) {
  const [{ dealer, users }, vehicle] = await Promise.all([context(), get(`/vehicles/${vehicleId}`)]);
  const branch = dealer.branches.find((b) => b.id === vehicle.branch_id);
  const edit = mayEditStock() && vehicle.status !== "sold"
    ? h("button", { type: "button", class: "secondary", onclick: () => vehicleDialog(dealer, vehicle) }, "Modifier") : null;
  add(main,
    h("nav", { class: "crumbs", "aria-label": "Fil d'Ariane" }, h("a", { href: "#/vehicles" }, "Stock"),
      ` › ${vehicle.registration || vehicle.vin}`),
    h("div", { class: "page-head" },
      h("div", { class: "lead-title-row" },
        h("h1", {}, `${vehicle.make} ${vehicle.model}`, vehicle.version ? h("span", { class: "muted" }, ` ${vehicle.version}`) : null),
        badge("vehicle", vehicle.status, VEHICLE_STATUS[vehicle.status])),
      edit),
    h("section", { "aria-labelledby": "vehicle-facts" },
      h("h2", { id: "vehicle-facts" }, "Véhicule"),
      facts([
        ["VIN", vehicle.vin], ["Immatriculation", vehicle.registration], ["Première immatriculation", day(vehicle.first_registration)],
        ["Kilométrage", `${vehicle.mileage_km.toLocaleString("fr-FR")} km`], ["Neuf ou occasion", KINDS[vehicle.kind]],
        ["Prix TTC", money(vehicle.price_cents)], ["Régime de TVA", VAT_REGIMES[vehicle.vat_regime]],
        ["Agence", branch?.name], ["Entré en stock le", when(vehicle.created_at)],
      ])));
  const reservation = vehicle.reservation;
  if (reservation) {
    add(main, h("section", { "aria-labelledby": "vehicle-reservation" },
      h("h2", { id: "vehicle-reservation" }, "Réservation"),
      facts([
        ["Proposition", reservation.proposal_id ? h("a", { href: `#/proposals/${reservation.proposal_id}` }, "Voir la proposition signée") : null],
        ["Commande", reservation.order_id],
        ["Vendeur", userName(users, reservation.seller_id)], ["Réservé le", when(reservation.reserved_at)],
        ["Levée le", reservation.hold_until ? when(reservation.hold_until) : "Commande confirmée : la réservation tient"],
      ])));
  }
}
