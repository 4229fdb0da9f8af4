// The leads list: status colours, deadline countdown, filters (status, owner, branch,
// overdue, text), overdue leads first, and "Plus de résultats" to read the next page.
import { get, query } from "../api.js";
import { context } from "../context.js";
import { go } from "../nav.js";
import {
  add, LEAD_STATUS, badge, countdown, duration, emptyState, field, h, input, moreRows, select, showErrors, when, scrollingTable
} from "../ui.js";

const PAGE = 25;
const FILTERS = ["status", "owner_id", "branch_id", "overdue", "q"];

export async function render({ main, query: filters, isCurrent }) {
  const { dealer, users } = await context();
  const form = filterForm(filters, dealer, users);
  const body = h("tbody");
  const table = h("table", { class: "table leads-table" },
    h("caption", { class: "visually-hidden" }, "Leads, les plus en retard d'abord"),
    h("thead", {}, h("tr", {},
      h("th", { scope: "col" }, "Statut"),
      h("th", { scope: "col" }, "Contact"),
      h("th", { scope: "col", class: "wide-only" }, "Type · source"),
      h("th", { scope: "col" }, "Vendeur"),
      h("th", { scope: "col" }, "Échéance"),
      h("th", { scope: "col", class: "wide-only" }, "Dernière activité"))),
    body);
  const results = h("div", { class: "results" });

  const params = { ...pick(filters), overdue_first: "true", limit: PAGE };
  const first = await get(`/leads${query(params)}`);
  add(main, 
    h("div", { class: "page-head" },
      h("h1", {}, "Leads"),
      h("a", { class: "button primary", href: "#/leads/new" }, "Nouveau lead")),
    form, results);

  if (!first.items.length) {
    const filtered = FILTERS.some((name) => filters[name]);
    add(results, filtered
      ? emptyState("Aucun lead pour ces filtres.", "Élargissez les filtres ou effacez-les pour revoir tous les leads.",
        h("a", { class: "button secondary", href: "#/leads" }, "Effacer les filtres"))
      : emptyState("Aucun lead pour l'instant.", "Créez votre premier lead : un contact, un type et une source suffisent.",
        h("a", { class: "button primary", href: "#/leads/new" }, "Nouveau lead")));
    return;
  }
  add(results, scrollingTable("Liste des leads", table), moreRows(body, first, {
    row, next: (cursor) => get(`/leads${query({ ...params, cursor })}`), allShown: "Tous les leads sont affichés.",
  }));

  // The countdowns move on while the list stays open.
  const timer = setInterval(() => {
    if (!isCurrent() || !document.body.contains(body)) return clearInterval(timer);
    body.querySelectorAll("[data-deadline]").forEach(updateCountdown);
  }, 30_000);
}

function pick(filters) {
  return Object.fromEntries(FILTERS.filter((name) => filters[name]).map((name) => [name, filters[name]]));
}

function row(lead) {
  const deadline = h("span", { class: "countdown", dataset: lead.deadline_at && lead.status === "open" ? { deadline: lead.deadline_at } : {} });
  if (lead.status === "open") updateCountdown(deadline);
  else deadline.textContent = "—";
  return h("tr", { class: [lead.overdue && lead.status === "open" && "overdue"] },
    h("td", {}, badge("lead", lead.status, lead.status_label || LEAD_STATUS[lead.status])),
    h("td", {},
      h("a", { href: `#/leads/${lead.id}`, class: "strong" }, lead.contact.name),
      h("div", { class: "muted small" }, lead.code)),
    h("td", { class: "wide-only" }, lead.type_label, h("div", { class: "muted small" }, lead.source)),
    h("td", {}, lead.owner.name, lead.branch ? h("div", { class: "muted small" }, lead.branch.name) : null),
    h("td", {}, deadline),
    h("td", { class: "wide-only" }, when(lead.last_activity_at),
      h("div", { class: "muted small" }, `ouvert depuis ${duration(lead.elapsed_seconds)}`)));
}

function updateCountdown(element) {
  const left = countdown(element.dataset.deadline);
  element.textContent = left.text;
  element.classList.toggle("late", left.overdue);
  element.classList.toggle("muted", Boolean(left.none));
}

function filterForm(filters, dealer, users) {
  const form = h("form", { class: "filters", role: "search", "aria-label": "Filtrer les leads" },
    field("Recherche", input("q", filters.q, { type: "search", placeholder: "Nom ou code", maxlength: 80 })),
    field("Statut", select("status", [["", "Tous"], ...Object.entries(LEAD_STATUS)], filters.status)),
    field("Vendeur", select("owner_id", [["", "Tous"], ...users.filter((u) => u.active).map((u) => [u.id, u.name])], filters.owner_id)),
    field("Site", select("branch_id", [["", "Tous"], ...dealer.branches.map((b) => [b.id, b.name])], filters.branch_id)),
    field("Échéance", select("overdue", [["", "Toutes"], ["true", "En retard"], ["false", "Dans les temps"]], filters.overdue)),
    h("div", { class: "filter-actions" },
      h("button", { type: "submit", class: "primary" }, "Filtrer"),
      h("a", { href: "#/leads", class: "button secondary" }, "Effacer")));
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const chosen = {};
    for (const name of FILTERS) {
      const value = form.elements.namedItem(name).value.trim();
      if (value) chosen[name] = value;
    }
    if (chosen.q && chosen.q.length > 80) return showErrors(form, { message: "Recherche trop longue." });
    go(`#/leads${query(chosen)}`);
  });
  return form;
}
