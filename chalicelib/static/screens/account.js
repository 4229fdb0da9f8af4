// A customer account: its contacts and its vehicles ("parc", seed 003): bought here, taken in trade-in,
// recorded by a seller, with their contracts; from a vehicle, a quote for a service contract or a
// warranty extension (the after-sales path of seed 000).
import { get, post } from "../api.js";
import { go } from "../nav.js";
import {
  FormProblem, add, busy, clear, day, dialog, emptyState, field, h, input, scrollingTable, select, toast, valueOf,
} from "../ui.js";

const SOURCES = { sold: "Acheté chez nous", trade_in: "Repris", recorded: "Enregistré" };
const CONTRACTS = { service_contract: "Contrat d'entretien", warranty_extension: "Extension de garantie" };
const VIN = /^[A-HJ-NPR-Z0-9]{17}$/;

export async function render({ main, params: [accountId] }) {
  const account = await get(`/accounts/${accountId}`);
  const parcBox = h("section", { class: "card", "aria-labelledby": "parc-title" });
  const name = account.account.name;
  add(main,
    h("nav", { class: "crumbs", "aria-label": "Fil d'Ariane" }, h("a", { href: "#/quotes" }, "Devis"), ` › ${name}`),
    h("div", { class: "page-head" }, h("h1", {}, name)),
    h("section", { class: "card", "aria-labelledby": "contacts-title" },
      h("h2", { id: "contacts-title" }, "Contacts"),
      h("ul", { class: "plain-list" }, account.contacts.map((c) => h("li", {},
        `${c.first_name} ${c.last_name}`, c.email ? ` · ${c.email}` : "", c.mobile ? ` · ${c.mobile}` : "")))),
    parcBox);

  async function refresh() {
    const parc = await get(`/accounts/${accountId}/vehicles`);
    const addButton = h("button", { type: "button", class: "secondary" }, "Ajouter un véhicule");
    addButton.addEventListener("click", () => recordDialog(accountId, refresh));
    clear(parcBox, h("h2", { id: "parc-title" }, "Véhicules du client"),
      parc.vehicles.length ? scrollingTable("Véhicules du client", h("table", { class: "table parc" },
        h("caption", { class: "visually-hidden" }, "Véhicules du client, les plus récents d'abord"),
        h("thead", {}, h("tr", {},
          h("th", { scope: "col" }, "Véhicule"), h("th", { scope: "col" }, "Origine"),
          h("th", { scope: "col" }, "Immatriculation"), h("th", { scope: "col" }, "VIN"),
          h("th", { scope: "col" }, "1re mise en circulation"), h("th", { scope: "col" }, "Kilométrage"),
          h("th", { scope: "col" }, "Contrats"), h("th", { scope: "col" }, "Après-vente"))),
        h("tbody", {}, parc.vehicles.map((v) => row(v))))) :
        emptyState("Aucun véhicule connu.", "Les véhicules achetés chez vous, repris ou enregistrés s'afficheront ici."),
      addButton);
  }

  function row(vehicle) {
    const quoteButtons = Object.entries(CONTRACTS).map(([product, label]) => {
      const button = h("button", { type: "button", class: "secondary small" }, `Devis ${label.toLowerCase()}`);
      button.addEventListener("click", () => busy(button, "Création du devis…", async () => {
        const quote = await post(`/accounts/${accountId}/vehicles/${vehicle.id}/quote`, { product });
        toast(`Devis ${quote.number} créé : fixez son prix.`);
        go(`#/quotes/${quote.id}`);
      }));
      return button;
    });
    const contractButton = h("button", { type: "button", class: "secondary small" }, "Ajouter un contrat");
    contractButton.addEventListener("click", () => contractDialog(accountId, vehicle, refresh));
    return h("tr", {},
      h("td", { class: "strong" }, vehicle.label),
      h("td", {}, SOURCES[vehicle.source]),
      h("td", {}, vehicle.registration || "—"),
      h("td", { class: "mono" }, vehicle.vin || "—"),
      h("td", {}, vehicle.first_registration ? day(vehicle.first_registration) : "—"),
      h("td", {}, vehicle.mileage_km != null ? `${vehicle.mileage_km.toLocaleString("fr-FR")} km` : "—"),
      h("td", {}, vehicle.contracts.length ? h("ul", { class: "plain-list" }, vehicle.contracts.map((c) => h("li", {},
        `${CONTRACTS[c.kind]} jusqu'au ${day(c.ends_on)}`))) : "—", " ", contractButton),
      h("td", {}, h("div", { class: "stack" }, quoteButtons)));
  }

  await refresh();
}

function recordDialog(accountId, refresh) {
  dialog({
    title: "Nouveau véhicule du client",
    build: (form) => add(form, h("div", { class: "grid-2" },
      field("Marque", input("make", "", { maxlength: 40 })),
      field("Modèle", input("model", "", { maxlength: 60 })),
      field("VIN", input("vin", "", { maxlength: 17 }), { hint: "17 caractères, sans I, O ni Q" }),
      field("Immatriculation", input("registration", "", { maxlength: 12 }), { hint: "AB-123-CD, ou 1234 AB 56" }),
      field("1re mise en circulation", input("first_registration", "", { type: "date" })),
      field("Kilométrage", input("mileage_km", "", { type: "number", min: 0, inputmode: "numeric" })))),
    submit: async (form) => {
      const vin = valueOf(form, "vin").trim().toUpperCase();
      if (vin && !VIN.test(vin)) throw new FormProblem({ vin: "17 caractères, sans I, O ni Q." });
      const mileage = valueOf(form, "mileage_km");
      await post(`/accounts/${accountId}/vehicles`, {
        make: valueOf(form, "make").trim(), model: valueOf(form, "model").trim(), vin: vin || null,
        registration: valueOf(form, "registration").trim() || null,
        first_registration: valueOf(form, "first_registration") || null,
        mileage_km: mileage === "" ? null : Number(mileage),
      });
      toast("Véhicule enregistré.");
      await refresh();
    },
  });
}

function contractDialog(accountId, vehicle, refresh) {
  dialog({
    title: `Contrat sur ${vehicle.label}`,
    build: (form) => add(form, h("div", { class: "grid-2" },
      field("Contrat", select("kind", Object.entries(CONTRACTS), "service_contract")),
      field("Référence", input("reference", "", { maxlength: 60 })),
      field("Début", input("starts_on", "", { type: "date" })),
      field("Fin", input("ends_on", "", { type: "date" })))),
    submit: async (form) => {
      if (!valueOf(form, "ends_on")) throw new FormProblem({ ends_on: "La date de fin du contrat." });
      await post(`/accounts/${accountId}/vehicles/${vehicle.id}/contracts`, {
        kind: valueOf(form, "kind"), reference: valueOf(form, "reference").trim() || null,
        starts_on: valueOf(form, "starts_on") || null, ends_on: valueOf(form, "ends_on"),
      });
      toast("Contrat ajouté.");
      await refresh();
    },
  });
}
