// The stock: available first, then reserved, then sold (newest first in each); filters by status,
// branch and text; "Ajouter un véhicule" for sellers, managers and admins (the back office reads).
import { get, patch, post, query } from "../api.js";
import { session } from "../auth.js";
import { context } from "../context.js";
import { go } from "../nav.js";
import {
  FormProblem, add, badge, day, dialog, emptyState, empty, eurosInput, field, h, input, money, moreRows,
  parseEuros, scrollingTable, select, toast, valueOf,
} from "../ui.js";

export const VEHICLE_STATUS = { available: "Disponible", reserved: "Réservé", sold: "Vendu" };
export const KINDS = { new: "Neuf", used: "Occasion" };
export const VAT_REGIMES = { normal: "TVA sur le prix", margin: "Régime de la marge (art. 297 A CGI)" };

export const mayEditStock = () => session.user()?.role !== "back_office";

export async function render({ main, query: filters }) {
  const { dealer } = await context();
  const status = VEHICLE_STATUS[filters.status] ? filters.status : "";
  const branchId = dealer.branches.some((b) => b.id === filters.branch_id) ? filters.branch_id : "";
  const text = (filters.q || "").trim();
  const wanted = (cursor) => get(`/vehicles${query({ status, branch_id: branchId, q: text.length >= 2 ? text : "", limit: 25, cursor })}`);
  const page = await wanted();
  const form = h("form", { class: "filters", role: "search", "aria-label": "Filtrer le stock" },
    field("Statut", select("status", [["", "Tous"], ...Object.entries(VEHICLE_STATUS)], status)),
    field("Agence", select("branch_id", [["", "Toutes"], ...dealer.branches.map((b) => [b.id, b.name])], branchId)),
    field("Recherche", input("q", text, { type: "search", placeholder: "VIN, modèle, immatriculation" })),
    h("div", { class: "filter-actions" }, h("button", { type: "submit", class: "primary" }, "Filtrer")));
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    go(`#/vehicles${query({ status: valueOf(form, "status"), branch_id: valueOf(form, "branch_id"), q: valueOf(form, "q").trim() })}`);
  });
  const addButton = mayEditStock()
    ? h("button", { type: "button", class: "primary", onclick: () => vehicleDialog(dealer) }, "Ajouter un véhicule") : null;
  add(main, h("div", { class: "page-head" }, h("h1", {}, "Stock"), addButton), form);
  if (!page.items.length && !page.next_cursor) {
    add(main, status || branchId || text
      ? emptyState("Aucun véhicule ne correspond.", "Changez les filtres, ou choisissez « Tous ».")
      : emptyState("Aucun véhicule en stock.", "Ajoutez les véhicules de la concession avec « Ajouter un véhicule »."));
    return;
  }
  const branches = new Map(dealer.branches.map((b) => [b.id, b.name]));
  const body = h("tbody");
  const footer = moreRows(body, page, {
    row: (v) => h("tr", {},
      h("td", {}, h("a", { href: `#/vehicles/${v.id}`, class: "strong" }, `${v.make} ${v.model}`),
        v.version ? h("span", { class: "muted" }, ` ${v.version}`) : null),
      h("td", {}, v.registration || "—"),
      h("td", {}, badge("vehicle", v.status, VEHICLE_STATUS[v.status])),
      h("td", {}, KINDS[v.kind]),
      h("td", { class: "num" }, money(v.price_cents)),
      h("td", { class: "num wide-only" }, `${v.mileage_km.toLocaleString("fr-FR")} km`),
      h("td", { class: "wide-only" }, branches.get(v.branch_id) || "—"),
      h("td", { class: "wide-only" }, day(v.first_registration))),
    next: wanted,
    allShown: "Tous les véhicules sont affichés.",
  });
  add(main, scrollingTable("Liste du stock", h("table", { class: "table" },
    h("thead", {}, h("tr", {},
      h("th", { scope: "col" }, "Véhicule"), h("th", { scope: "col" }, "Immatriculation"), h("th", { scope: "col" }, "Statut"),
      h("th", { scope: "col" }, "Neuf / occasion"), h("th", { scope: "col", class: "num" }, "Prix TTC"),
      h("th", { scope: "col", class: "num wide-only" }, "Kilométrage"), h("th", { scope: "col", class: "wide-only" }, "Agence"),
      h("th", { scope: "col", class: "wide-only" }, "1re immatriculation"))),
    body)), footer);
}

// The form of a new vehicle, or of an edit (only the fields that changed are sent).
export function vehicleDialog(dealer, vehicle = null) {
  return dialog({
    title: vehicle ? "Modifier le véhicule" : "Ajouter un véhicule",
    wide: true,
    submitLabel: vehicle ? "Enregistrer" : "Ajouter",
    build: (form) => add(form, h("div", { class: "grid-2" },
      field("VIN", input("vin", vehicle?.vin, { required: true, maxlength: 20, autocomplete: "off" }), { hint: "17 caractères, sans I, O ni Q" }),
      field("Agence", select("branch_id", dealer.branches.map((b) => [b.id, b.name]), vehicle?.branch_id)),
      field("Marque", input("make", vehicle?.make, { required: true, maxlength: 60 })),
      field("Modèle", input("model", vehicle?.model, { required: true, maxlength: 60 })),
      field("Version", input("version", vehicle?.version, { maxlength: 120 })),
      field("Neuf ou occasion", select("kind", Object.entries(KINDS), vehicle?.kind || "used")),
      field("Immatriculation", input("registration", vehicle?.registration, { maxlength: 12 }), { hint: "AB-123-CD, ou 1234 AB 56 avant 2009" }),
      field("Première immatriculation", input("first_registration", vehicle?.first_registration, { type: "date" })),
      field("Kilométrage (km)", input("mileage_km", vehicle?.mileage_km ?? "", { inputmode: "numeric", required: true })),
      field("Prix TTC (€)", input("price_cents", eurosInput(vehicle?.price_cents), { inputmode: "decimal", required: true })),
      field("Régime de TVA", select("vat_regime", Object.entries(VAT_REGIMES), vehicle?.vat_regime || "normal"),
        { hint: "Le régime de la marge ne vaut que pour un véhicule d'occasion." }))),
    submit: async (form) => {
      const fields = read(form);
      if (!vehicle) {
        const created = await post("/vehicles", fields);
        toast("Véhicule ajouté au stock.");
        go(`#/vehicles/${created.id}`);
        return true;
      }
      const changes = Object.fromEntries(Object.entries(fields).filter(([name, value]) => (vehicle[name] ?? null) !== value));
      if (!Object.keys(changes).length) return true;
      await patch(`/vehicles/${vehicle.id}`, changes);
      toast(changes.price_cents !== undefined ? "Prix modifié : les vendeurs des propositions en cours sont prévenus." : "Véhicule modifié.");
      go(`#/vehicles/${vehicle.id}`);
      return true;
    },
  });
}

function read(form) {
  const mileage = valueOf(form, "mileage_km").replace(/[\s\u00a0\u202f]/g, "");
  const price = parseEuros(valueOf(form, "price_cents"));
  const problems = {};
  if (!/^\d{1,7}$/.test(mileage)) problems.mileage_km = "Un nombre de kilomètres, sans décimale.";
  if (price === null) problems.price_cents = "Un montant en euros, par exemple 14 990,00.";
  if (Object.keys(problems).length) throw new FormProblem(problems);
  return {
    vin: valueOf(form, "vin").trim(), make: valueOf(form, "make").trim(), model: valueOf(form, "model").trim(),
    version: empty(valueOf(form, "version")), registration: empty(valueOf(form, "registration")),
    first_registration: empty(valueOf(form, "first_registration")), mileage_km: Number(mileage), kind: valueOf(form, "kind"),
    price_cents: price, vat_regime: valueOf(form, "vat_regime"), branch_id: valueOf(form, "branch_id"),
  };
}
