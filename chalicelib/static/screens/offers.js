// An offer of a lead: a quote made for the lead's customer, recorded on the lead.
import { post } from "../api.js";
import { go } from "../nav.js";
import { add, dialog, field, h, select, toast } from "../ui.js";
import { customerPicker } from "./customers.js";

// The one place that turns a lead into an offer: the server creates the quote and records
// it on the lead ("Devis <number>") in one transaction.
export async function makeOfferFromLead(leadId, { accountId, contactId }) {
  return post("/quotes", {
    account_id: accountId, contact_id: contactId, lead_id: leadId, origin: "lead", lines: [],
  });
}

export function offerDialog(page) {
  const { header, contacts } = page;
  let chosenCustomer;
  dialog({
    title: "Nouvelle offre",
    submitLabel: "Créer le devis",
    busyLabel: "Création du devis…",
    wide: true,
    build: async (form) => {
      add(form, h("p", { class: "muted" },
        "Le devis est créé pour ce lead, puis ouvert pour en saisir les lignes (véhicule, options, frais)."));
      if (contacts.length > 1) {
        add(form, field("Contact du lead", select("lead_contact", contacts.map((c) => [c.id, c.name]), header.contact.id)));
      }
      const contact = header.contact;
      chosenCustomer = await customerPicker(form, { name: contact.name, email: contact.email, mobile: contact.mobile });
      form.querySelector('select[name="lead_contact"]')?.addEventListener("change", (event) => {
        const picked = contacts.find((c) => c.id === event.target.value);
        const [first, ...rest] = picked.name.split(/\s+/);
        form.elements.namedItem("contact.first_name").value = rest.length ? first : "";
        form.elements.namedItem("contact.last_name").value = rest.length ? rest.join(" ") : first;
        form.elements.namedItem("contact.email").value = picked.email || "";
        form.elements.namedItem("contact.mobile").value = picked.mobile || "";
      });
    },
    submit: async (form) => {
      const customer = await chosenCustomer();
      const quote = await makeOfferFromLead(header.id, customer);
      toast(`Devis ${quote.number} créé pour ce lead.`);
      go(`#/quotes/${quote.id}`);
    },
  });
}
