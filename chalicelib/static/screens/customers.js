// Choosing the customer of a quote: an existing account and contact, or a new person
// account made from what the seller knows (e.g. a lead's contact). Shared by the offer of
// a lead and the quote list's "Nouveau devis".
import { get, post } from "../api.js";
import { add, empty, field, h, input, phoneE164, select, valueOf } from "../ui.js";

export async function customerPicker(form, prefill = {}) {
  const accounts = await get("/accounts");
  const choices = accounts.flatMap((view) => view.contacts.map((contact) => [
    `${view.account.id}:${contact.id}`,
    view.account.kind === "company"
      ? `${view.account.name} — ${contact.first_name} ${contact.last_name}`
      : `${contact.first_name} ${contact.last_name}${contact.email ? ` (${contact.email})` : ""}`,
  ]));
  const [first, ...rest] = (prefill.name || "").trim().split(/\s+/);
  const newOne = h("fieldset", { class: "customer-new" },
    h("legend", {}, "Nouveau client (particulier)"),
    h("div", { class: "grid-2" },
      field("Prénom", input("contact.first_name", rest.length ? first : "", { maxlength: 80 })),
      field("Nom", input("contact.last_name", rest.length ? rest.join(" ") : first || "", { maxlength: 80 })),
      field("E-mail", input("contact.email", prefill.email || "", { type: "email" })),
      field("Mobile", input("contact.mobile", prefill.mobile || "", { type: "tel" }))));
  const existing = choices.length
    ? field("Client existant", select("existing", [["", "— Nouveau client —"], ...choices], prefill.existing || ""))
    : null;
  const sync = () => { newOne.hidden = Boolean(existing && valueOf(form, "existing")); };
  existing?.querySelector("select").addEventListener("change", sync);
  add(form, h("div", { class: "stack" }, existing, newOne));
  sync();
  // The account once created, so a retry after a later failure does not create it twice.
  let created = null;
  return async function chosenCustomer() {
    const picked = existing ? valueOf(form, "existing") : "";
    if (picked) {
      const [accountId, contactId] = picked.split(":");
      return { accountId, contactId };
    }
    if (created) return created;
    const view = await post("/accounts", {
      kind: "person",
      contact: {
        first_name: valueOf(form, "contact.first_name").trim(),
        last_name: valueOf(form, "contact.last_name").trim(),
        email: empty(valueOf(form, "contact.email")),
        mobile: phoneE164(valueOf(form, "contact.mobile")),
      },
    });
    created = { accountId: view.account.id, contactId: view.contacts[0].id };
    return created;
  };
}

