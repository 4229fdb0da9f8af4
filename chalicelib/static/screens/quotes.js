// The quote list, newest first, and "Nouveau devis" for a new or existing customer.
import { get, post, query } from "../api.js";
import { go } from "../nav.js";
import { add, day, dialog, emptyState, h, money, moreRows, toast, when, scrollingTable } from "../ui.js";
import { customerPicker } from "./customers.js";

const ORIGINS = { quote_list: "Liste des devis", contact: "Contact", lead: "Lead" };

export async function render({ main }) {
  const [page, accounts] = await Promise.all([get(`/quotes${query({ limit: 50 })}`), get("/accounts")]);
  const names = new Map(accounts.map((view) => [view.account.id, view.account.name]));
  const newButton = h("button", { type: "button", class: "primary", onclick: newQuoteDialog }, "Nouveau devis");
  add(main, h("div", { class: "page-head" }, h("h1", {}, "Devis"), newButton));
  if (!page.items.length) {
    add(main, emptyState("Aucun devis pour l'instant.",
      "Créez un devis depuis un lead (bouton « Offre ») ou ici avec « Nouveau devis »."));
    return;
  }
  const body = h("tbody");
  const footer = moreRows(body, page, {
    row: (quote) => h("tr", {},
      h("td", {}, h("a", { href: `#/quotes/${quote.id}`, class: "strong" }, quote.number)),
      h("td", {}, names.get(quote.account_id) || "—"),
      h("td", { class: "num" }, money(quote.totals.ttc_cents)),
      h("td", {}, day(quote.valid_until)),
      h("td", { class: "wide-only" }, ORIGINS[quote.origin] || quote.origin),
      h("td", { class: "wide-only" }, when(quote.updated_at))),
    next: (cursor) => get(`/quotes${query({ limit: 50, cursor })}`),
    allShown: "Tous les devis sont affichés.",
  });
  add(main, scrollingTable("Liste des devis", h("table", { class: "table" },
    h("thead", {}, h("tr", {},
      h("th", { scope: "col" }, "Numéro"), h("th", { scope: "col" }, "Client"), h("th", { scope: "col", class: "num" }, "Total TTC"),
      h("th", { scope: "col" }, "Valable jusqu'au"), h("th", { scope: "col", class: "wide-only" }, "Origine"),
      h("th", { scope: "col", class: "wide-only" }, "Modifié le"))),
    body)), footer);
}

function newQuoteDialog() {
  let chosenCustomer;
  dialog({
    title: "Nouveau devis",
    submitLabel: "Créer le devis",
    busyLabel: "Création…",
    wide: true,
    build: async (form) => {
      chosenCustomer = await customerPicker(form);
    },
    submit: async () => {
      const { accountId, contactId } = await chosenCustomer();
      const quote = await post("/quotes", { account_id: accountId, contact_id: contactId, origin: "contact", lines: [] });
      toast(`Devis ${quote.number} créé.`);
      go(`#/quotes/${quote.id}`);
    },
  });
}
