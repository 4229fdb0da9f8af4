// Proposals, newest first: status, views and last view; filtered by status.
import { ApiError, get, query } from "../api.js";
import { session } from "../auth.js";
import { go } from "../nav.js";
import {
  add, remoteSellingOff, PROPOSAL_STATUS, badge, day, emptyState, field, h, money, moreRows, select, when, scrollingTable,
} from "../ui.js";

export async function render({ main, query: filters }) {
  const status = PROPOSAL_STATUS[filters.status] ? filters.status : "";
  let page;
  try {
    page = await get(`/proposals${query({ status, limit: 50 })}`);
  } catch (error) {
    if (!(error instanceof ApiError && error.code === "remote_selling_disabled")) throw error;
    add(main, h("h1", {}, "Propositions"), remoteSellingOff(error.message, session.isAdmin()));
    return;
  }
  const form = h("form", { class: "filters", role: "search", "aria-label": "Filtrer les propositions" },
    field("Statut", select("status", [["", "Tous"], ...Object.entries(PROPOSAL_STATUS)], status)),
    h("div", { class: "filter-actions" }, h("button", { type: "submit", class: "primary" }, "Filtrer")));
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    go(`#/proposals${query({ status: form.elements.namedItem("status").value })}`);
  });
  add(main, h("div", { class: "page-head" }, h("h1", {}, "Propositions")), form);
  if (!page.items.length) {
    add(main, status
      ? emptyState("Aucune proposition dans cet état.", "Choisissez un autre statut, ou « Tous ».")
      : emptyState("Aucune proposition pour l'instant.",
        "Ouvrez un devis (depuis un lead ou la liste des devis) puis cliquez sur « Créer la proposition » pour l'envoyer au client.",
        h("a", { class: "button secondary", href: "#/quotes" }, "Voir les devis")));
    return;
  }
  const body = h("tbody");
  const footer = moreRows(body, page, {
    row: (p) => h("tr", {},
      h("td", {}, h("a", { href: `#/proposals/${p.id}`, class: "strong" }, p.reference),
        p.email_bounce ? h("span", { class: "badge badge-email-bounced", title: `E-mail non remis à ${p.email_bounce.to}` },
          "E-mail non remis") : null),
      h("td", {}, p.customer_name),
      h("td", {}, badge("proposal", p.status, PROPOSAL_STATUS[p.status])),
      h("td", { class: "num" }, money(p.total_ttc_cents)),
      h("td", { class: "wide-only" }, p.sent_at ? when(p.sent_at) : "—"),
      h("td", { class: "num" }, String(p.view_count)),
      h("td", {}, p.last_viewed_at ? when(p.last_viewed_at) : "Jamais"),
      h("td", { class: "wide-only" }, day(p.valid_until))),
    next: (cursor) => get(`/proposals${query({ status, limit: 50, cursor })}`),
    allShown: "Toutes les propositions sont affichées.",
  });
  add(main, scrollingTable("Liste des propositions", h("table", { class: "table proposals-table" },
    h("thead", {}, h("tr", {},
      h("th", { scope: "col" }, "Référence"), h("th", { scope: "col" }, "Client"), h("th", { scope: "col" }, "Statut"),
      h("th", { scope: "col", class: "num" }, "Total TTC"), h("th", { scope: "col", class: "wide-only" }, "Envoyée le"),
      h("th", { scope: "col", class: "num" }, "Vues"), h("th", { scope: "col" }, "Dernière vue"),
      h("th", { scope: "col", class: "wide-only" }, "Valable jusqu'au"))),
    body)), footer);
}
