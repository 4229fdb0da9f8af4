// The orders list: status, next action, handover day; open orders by next action (overdue
// first, as the API sorts them), closed ones after; "Plus de résultats" reads the next page.
import { get, query } from "../api.js";
import { context, userName } from "../context.js";
import { go } from "../nav.js";
import { add, badge, day, emptyState, field, h, moreRows, scrollingTable, select, when } from "../ui.js";
import { ORDER_STATUS } from "./order.js";

const PAGE = 25;

export async function render({ main, query: filters }) {
  const { users } = await context();
  const params = { status: filters.status, limit: PAGE };
  const first = await get(`/orders${query(params)}`);
  const body = h("tbody");
  const table = h("table", { class: "table orders-table" },
    h("caption", { class: "visually-hidden" }, "Commandes, les plus en retard d'abord"),
    h("thead", {}, h("tr", {},
      h("th", { scope: "col" }, "Statut"),
      h("th", { scope: "col" }, "Client · véhicule"),
      h("th", { scope: "col" }, "Prochaine action"),
      h("th", { scope: "col" }, "Cession"),
      h("th", { scope: "col", class: "wide-only" }, "Vendeur"))),
    body);
  const results = h("div", { class: "results" });
  add(main,
    h("div", { class: "page-head" }, h("h1", {}, "Commandes")),
    filterForm(filters),
    results);
  if (!first.items.length) {
    add(results, filters.status
      ? emptyState("Aucune commande avec ce statut.", "Choisissez un autre statut ou revenez à toutes les commandes.",
        h("a", { class: "button secondary", href: "#/orders" }, "Toutes les commandes"))
      : emptyState("Aucune commande pour l'instant.",
        "Une commande s'ouvre depuis un devis (« Créer une commande ») ou à la signature d'une proposition.",
        h("a", { class: "button primary", href: "#/quotes" }, "Voir les devis")));
    return;
  }
  const row = (order) => h("tr", { class: [order.overdue && "overdue"] },
    h("td", {}, badge("order", order.status, ORDER_STATUS[order.status] || order.status)),
    h("td", {},
      h("a", { href: `#/orders/${order.id}`, class: "strong" }, order.customer_name),
      h("div", { class: "muted small" }, order.vehicle)),
    h("td", {}, order.next_action
      ? [h("span", {}, order.next_action.label),
        h("div", { class: ["small", order.overdue ? "late" : "muted"] },
          order.overdue ? `En retard : prévu le ${when(order.next_action.due_by)}` : `Pour le ${when(order.next_action.due_by)}`)]
      : h("span", { class: "muted" }, "—")),
    h("td", {}, day(order.handover_on)),
    h("td", { class: "wide-only" }, userName(users, order.seller_id)));
  add(results, scrollingTable("Liste des commandes", table), moreRows(body, first, {
    row, next: (cursor) => get(`/orders${query({ ...params, cursor })}`), allShown: "Toutes les commandes sont affichées.",
  }));
}

function filterForm(filters) {
  const form = h("form", { class: "filters", role: "search", "aria-label": "Filtrer les commandes" },
    field("Statut", select("status", [["", "Toutes"], ...Object.entries(ORDER_STATUS)], filters.status)),
    h("div", { class: "filter-actions" },
      h("button", { type: "submit", class: "primary" }, "Filtrer"),
      h("a", { href: "#/orders", class: "button secondary" }, "Effacer")));
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const status = form.elements.namedItem("status").value;
    go(`#/orders${query({ status })}`);
  });
  return form;
}
