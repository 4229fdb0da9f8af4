// Creating a lead: its first contact, type, source, owner and branch.
import { post } from "../api.js";
import { context } from "../context.js";
import { go } from "../nav.js";
import { add, empty, field, h, input, onSubmit, phoneE164, select, toast, valueOf } from "../ui.js";

export const LEAD_TYPES = [
  ["new_vehicle_sale", "Vente VN"], ["used_vehicle_sale", "Vente VO"], ["purchase", "Achat"],
  ["service", "Atelier"], ["other", "Autre"],
];
const SOURCES = ["Site web", "Téléphone", "Showroom", "E-mail", "Salon", "Recommandation", "Leboncoin", "La Centrale"];

export async function render({ main }) {
  const { dealer, users, me } = await context();
  const sources = h("datalist", { id: "lead-sources" }, SOURCES.map((source) => h("option", { value: source })));
  const form = h("form", { class: "card stack", novalidate: true },
    h("div", { class: "form-error-slot" }),
    h("fieldset", { "data-field": "contacts.0" },
      h("legend", {}, "Contact"),
      h("div", { class: "grid-2" },
        field("Nom complet", input("contacts.0.name", "", { required: true, autocomplete: "off", maxlength: 120 })),
        field("E-mail", input("contacts.0.email", "", { type: "email", autocomplete: "off" })),
        field("Mobile", input("contacts.0.mobile", "", { type: "tel", autocomplete: "off" }),
          { hint: "06 12 34 56 78 ou +33612345678. Un e-mail ou un mobile au moins." }))),
    h("fieldset", {},
      h("legend", {}, "Lead"),
      h("div", { class: "grid-2" },
        field("Type", select("type", LEAD_TYPES, "new_vehicle_sale")),
        field("Source", input("source", "", { list: "lead-sources", required: true, maxlength: 60 })),
        field("Vendeur", select("owner_id", users.filter((u) => u.active).map((u) => [u.id, u.name]), me?.id)),
        field("Site", select("branch_id", [["", "Aucun"], ...dealer.branches.map((b) => [b.id, b.name])], me?.branch_id || "")))),
    sources,
    h("div", { class: "actions" },
      h("a", { class: "button secondary", href: "#/leads" }, "Annuler"),
      h("button", { type: "submit", class: "primary" }, "Créer le lead")));
  onSubmit(form, "Création…", async () => {
    const created = await post("/leads", {
      type: valueOf(form, "type"),
      source: valueOf(form, "source").trim(),
      owner_id: empty(valueOf(form, "owner_id")),
      branch_id: empty(valueOf(form, "branch_id")),
      contacts: [{
        name: valueOf(form, "contacts.0.name").trim(),
        email: empty(valueOf(form, "contacts.0.email")),
        mobile: phoneE164(valueOf(form, "contacts.0.mobile")),
      }],
    });
    toast(`Lead ${created.code} créé.`);
    go(`#/leads/${created.id}`);
  });
  add(main, 
    h("nav", { class: "crumbs", "aria-label": "Fil d'Ariane" }, h("a", { href: "#/leads" }, "Leads"), " › Nouveau lead"),
    h("h1", {}, "Nouveau lead"),
    h("p", { class: "muted" }, "Le délai de contact du client part de la création, selon le réglage de la concession."),
    form);
}
