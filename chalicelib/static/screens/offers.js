// An offer of a lead: a quote made for the lead's customer, recorded on the lead.
import { ApiError, post } from "../api.js";
import { go } from "../nav.js";
import { add, dialog, field, h, select, toast } from "../ui.js";
import { customerPicker } from "./customers.js";

// The one place that turns a lead into an offer: POST /quotes with the lead, then
// POST /leads/{id}/offers to record it on the lead. Once quote creation records the offer
// itself (the lead merge does), the second call answers 409 "already there" and is skipped;
// then it can simply be deleted.
export async function makeOfferFromLead(leadId, { accountId, contactId }) {
  const quote = await post("/quotes", {
    account_id: accountId, contact_id: contactId, lead_id: leadId, origin: "lead", lines: [],
  });
  try {
    await post(`/leads/${leadId}/offers`, { quote_id: quote.id, label: `Devis ${quote.number}` });
  } catch (error) {
    const alreadyRecorded = error instanceof ApiError && error.status === 409 && error.code !== "lead_closed";
    if (!alreadyRecorded) throw error;
  }
  return quote;
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
