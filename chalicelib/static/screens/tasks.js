// The task overview (seed 004): the user's order milestones, lead deadlines, lead tasks and tasks on
// quotes, proposals and orders, overdue first then by due time (GET /me/tasks). A deadline is a target,
// not a task: it opens its lead.
import { get } from "../api.js";
import { add, countdown, emptyState, h, scrollingTable, when } from "../ui.js";

const KINDS = { milestone: "Étape de commande", lead_deadline: "Échéance de lead", lead_task: "Tâche de lead" };
const RECORDS = { quote: ["quotes", "Tâche de devis"], proposal: ["proposals", "Tâche de proposition"],
  order: ["orders", "Tâche de commande"] };

export async function render({ main }) {
  const overview = await get("/me/tasks");
  add(main, h("div", { class: "page-head" }, h("h1", {}, "Aperçu des tâches")));
  if (!overview.items.length) {
    add(main, emptyState("Rien à faire pour l'instant.",
      "Les étapes de vos commandes, les échéances et les tâches de vos leads s'afficheront ici.",
      h("a", { class: "button secondary", href: "#/leads" }, "Voir les leads")));
    return;
  }
  const late = overview.items.filter((i) => i.overdue).length;
  add(main,
    h("p", { class: late ? "late" : "muted" }, late ? `${late} en retard, en tête de liste.` : "Rien en retard."),
    scrollingTable("Tâches", h("table", { class: "table task-list" },
      h("caption", { class: "visually-hidden" }, "Tâches, les plus en retard d'abord"),
      h("thead", {}, h("tr", {},
        h("th", { scope: "col" }, "Échéance"), h("th", { scope: "col" }, "À faire"),
        h("th", { scope: "col" }, "Pour"), h("th", { scope: "col", class: "wide-only" }, "Type"))),
      h("tbody", {}, overview.items.map(row)))),
    overview.complete ? null : h("p", { class: "muted small" },
      `Lu : les ${overview.orders_read} commandes et les ${overview.leads_read} leads les plus urgents. ` +
      "Ouvrez Commandes ou Leads pour le reste."));
}

function row(item) {
  const record = item.record ? RECORDS[item.record.kind] : null;
  const target = record ? `#/${record[0]}/${item.record.id}`
    : item.order_id ? `#/orders/${item.order_id}` : `#/leads/${item.lead_id}`;
  return h("tr", { class: [item.overdue && "overdue"] },
    h("td", {}, when(item.due_at),
      h("div", { class: ["small", item.overdue ? "late" : "muted"] }, countdown(item.due_at).text)),
    h("td", {}, h("a", { href: target, class: "strong" }, item.label)),
    h("td", {}, item.subject),
    h("td", { class: "wide-only" }, record ? record[1] : KINDS[item.kind]));
}
