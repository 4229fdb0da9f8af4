// Proposals, newest first: status, views, acompte (to pay, paid, to settle) and signature date.
// The filters (text, status, seller) are always shown and apply as soon as they change.
import { ApiError, get, query } from "../api.js";
import { session } from "../auth.js";
import { context } from "../context.js";
import { go } from "../nav.js";
import {
  add, remoteSellingOff, PROPOSAL_STATUS, badge, day, emptyState, field, h, input, money, moreRows, select, when,
  scrollingTable,
} from "../ui.js";

const FILTERS = ["q", "status", "seller_id"];
const PAGE = 50;
// The filter the seller just changed gets the focus back once the list is drawn again.
let refocus = null;

export async function render({ main, query: asked }) {
  const filters = Object.fromEntries(FILTERS.filter((name) => asked[name]).map((name) => [name, asked[name]]));
  if (filters.status && !PROPOSAL_STATUS[filters.status]) delete filters.status;
  let page;
  try {
    page = await get(`/proposals${query({ ...filters, limit: PAGE })}`);
  } catch (error) {
    if (!(error instanceof ApiError && error.code === "remote_selling_disabled")) throw error;
    add(main, h("h1", {}, "Propositions"), remoteSellingOff(error.message, session.isAdmin()));
    return;
  }
  const { users } = await context();
  const form = filterForm(filters, users);
  add(main, h("div", { class: "page-head" }, h("h1", {}, "Propositions")), form);
  if (refocus) {
    const name = refocus;
    refocus = null;
    requestAnimationFrame(() => form.elements.namedItem(name)?.focus());
  }
  if (!page.items.length) {
    add(main, Object.keys(filters).length
      ? emptyState("Aucune proposition pour ces filtres.", "Changez la recherche ou les filtres, ou effacez-les.",
        h("a", { class: "button secondary", href: "#/proposals" }, "Effacer les filtres"))
      : emptyState("Aucune proposition pour l'instant.",
        "Ouvrez un devis (depuis un lead ou la liste des devis) puis cliquez sur « Créer la proposition » pour l'envoyer au client.",
        h("a", { class: "button secondary", href: "#/quotes" }, "Voir les devis")));
    return;
  }
  const body = h("tbody");
  const footer = moreRows(body, page, {
    row,
    next: (cursor) => get(`/proposals${query({ ...filters, limit: PAGE, cursor })}`),
    allShown: "Toutes les propositions sont affichées.",
  });
  add(main, scrollingTable("Liste des propositions", h("table", { class: "table proposals-table" },
    h("thead", {}, h("tr", {},
      h("th", { scope: "col" }, "Référence"), h("th", { scope: "col" }, "Client"), h("th", { scope: "col" }, "Statut"),
      h("th", { scope: "col", class: "num" }, "Total TTC"), h("th", { scope: "col" }, "Acompte"),
      h("th", { scope: "col", class: "wide-only" }, "Envoyée le"),
      h("th", { scope: "col", class: "num" }, "Vues"), h("th", { scope: "col" }, "Dernière vue"),
      h("th", { scope: "col" }, "Signée le"),
      h("th", { scope: "col", class: "wide-only" }, "Valable jusqu'au"))),
    body)), footer);
}

function row(p) {
  return h("tr", {},
    h("td", {}, h("a", { href: `#/proposals/${p.id}`, class: "strong" }, p.reference),
      p.email_bounce ? h("span", { class: "badge badge-email-bounced", title: `E-mail non remis à ${p.email_bounce.to}` },
        "E-mail non remis") : null),
    h("td", {}, p.customer_name),
    h("td", {}, badge("proposal", p.status, PROPOSAL_STATUS[p.status]),
      p.partly_signed_at ? h("span", { class: "muted small" }, " 1 signature sur 2") : null),
    h("td", { class: "num" }, money(p.total_ttc_cents)),
    h("td", {}, deposit(p)),
    h("td", { class: "wide-only" }, p.sent_at ? when(p.sent_at) : "—"),
    h("td", { class: "num" }, String(p.view_count)),
    h("td", {}, p.last_viewed_at ? when(p.last_viewed_at) : "Jamais"),
    h("td", {}, p.signed_at ? when(p.signed_at) : "—"),
    h("td", { class: "wide-only" }, day(p.valid_until)));
}

// The acompte column: what is asked, whether it is paid, and a payment to settle.
function deposit(p) {
  if (p.deposit_status === "not_asked") return h("span", { class: "muted" }, "—");
  const state = {
    paid: `payé${p.deposit_paid_at ? ` le ${when(p.deposit_paid_at)}` : ""}`,
    pending: "paiement en cours",
    none: p.status === "accepted" ? "à payer" : "dû à la signature",
  }[p.deposit_status] || p.deposit_status;
  return h("span", {}, money(p.deposit_cents), h("div", { class: "muted small" }, state),
    p.payment_anomalies
      ? h("div", { class: "field-error small" }, p.payment_anomalies > 1
        ? `${p.payment_anomalies} paiements à régulariser` : "Paiement à régulariser")
      : null);
}

function filterForm(filters, users) {
  const form = h("form", { class: "filters", role: "search", "aria-label": "Filtrer les propositions" },
    field("Recherche", input("q", filters.q, { type: "search", placeholder: "Client ou référence", maxlength: 100 })),
    field("Statut", select("status", [["", "Tous"], ...Object.entries(PROPOSAL_STATUS)], filters.status)),
    field("Vendeur", select("seller_id", [["", "Tous"], ...users.filter((u) => u.active).map((u) => [u.id, u.name])],
      filters.seller_id)),
    h("div", { class: "filter-actions" }, h("a", { href: "#/proposals", class: "button secondary" }, "Effacer")));
  const apply = (event) => {
    const chosen = {};
    for (const name of FILTERS) {
      const value = form.elements.namedItem(name).value.trim();
      if (value) chosen[name] = value;
    }
    const hash = `#/proposals${query(chosen)}`;
    if (hash === location.hash) return;
    refocus = event.target.name || null;
    go(hash);
  };
  // A select applies when it changes; the search box when the seller presses Enter or leaves it.
  form.addEventListener("change", apply);
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    apply({ target: form.elements.namedItem("q") });
  });
  return form;
}
