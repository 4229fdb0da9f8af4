// Invoices and credit notes (docs/invoices.md): the list, newest first, with "Plus de résultats";
// the CSV export of a period for the accountant; an invoice's page (lines, VAT per rate, totals,
// deposit deducted, download) and "Créer un avoir" for the office (managers, admins, ADV).
import { ApiError, download, get, post, query } from "../api.js";
import { session } from "../auth.js";
import { go } from "../nav.js";
import {
  add, busy, day, dialog, emptyState, eurosInput, facts, field, FormProblem, h, input, moreRows, money, onSubmit,
  openUrlOrLink, parseEuros, scrollingTable, shortDay, textarea, toast, valueOf,
} from "../ui.js";

const PAGE = 25;

export const INVOICE_KIND = {
  deposit: "Facture d'acompte", final: "Facture de solde", standard: "Facture", credit_note: "Avoir",
};

// Who may credit an invoice: the API answers 403 to anyone else.
const mayCredit = () => ["manager", "admin", "back_office"].includes(session.user()?.role);

export async function render({ main, params: [number] }) {
  if (number) return renderOne(main, number);
  return renderList(main);
}

async function renderList(main) {
  const first = await get(`/invoices${query({ limit: PAGE })}`);
  add(main, h("div", { class: "page-head" }, h("h1", {}, "Factures")), exportForm());
  if (!first.items.length) {
    add(main, emptyState("Aucune facture pour l'instant.",
      "Les factures sont émises au paiement de l'acompte, à la remise du véhicule, ou depuis un devis sans véhicule (« Facturer »).",
      h("a", { class: "button primary", href: "#/quotes" }, "Voir les devis")));
    return;
  }
  const body = h("tbody");
  const table = h("table", { class: "table invoices-table" },
    h("caption", { class: "visually-hidden" }, "Factures et avoirs, les plus récents d'abord"),
    h("thead", {}, h("tr", {},
      h("th", { scope: "col" }, "Numéro"),
      h("th", { scope: "col" }, "Date"),
      h("th", { scope: "col" }, "Client"),
      h("th", { scope: "col", class: "num" }, "Montant TTC"),
      h("th", { scope: "col" }, "Type"))),
    body);
  const row = (invoice) => h("tr", {},
    h("td", {}, h("a", { href: `#/invoices/${invoice.number}`, class: "strong" }, invoice.number)),
    h("td", {}, shortDay(invoice.issue_date)),
    h("td", {}, invoice.customer),
    h("td", { class: "num" }, money(invoice.kind === "credit_note" ? -invoice.ttc_cents : invoice.ttc_cents)),
    h("td", {}, INVOICE_KIND[invoice.kind] || invoice.kind,
      invoice.credited_number ? h("div", { class: "muted small" }, `de ${invoice.credited_number}`) : null));
  add(main, scrollingTable("Liste des factures", table), moreRows(body, first, {
    row, next: (cursor) => get(`/invoices${query({ limit: PAGE, cursor })}`), allShown: "Toutes les factures sont affichées.",
  }));
}

// The accountant's export: the invoices and credit notes issued between two days, as CSV.
function exportForm() {
  const today = new Date().toISOString().slice(0, 10);
  const form = h("form", { class: "inline-form", novalidate: true },
    h("div", { class: "form-error-slot" }),
    field("Du", input("from", `${today.slice(0, 8)}01`, { type: "date", required: true })),
    field("Au", input("to", today, { type: "date", required: true })),
    h("button", { type: "submit", class: "secondary" }, "Exporter (CSV)"));
  onSubmit(form, "Export…", async () => {
    const from = valueOf(form, "from");
    const to = valueOf(form, "to");
    const missing = Object.fromEntries([["from", from], ["to", to]].filter(([, v]) => !v).map(([k]) => [k, "Field required"]));
    if (Object.keys(missing).length) throw new FormProblem(missing, "Choisissez les deux dates de la période.");
    await download(`/invoices/export${query({ from, to })}`, `factures-${from}-${to}.csv`);
    toast("Export téléchargé.");
  });
  return h("section", { class: "card", "aria-labelledby": "export-title" },
    h("h2", { id: "export-title" }, "Export pour la comptabilité"), form);
}

async function renderOne(main, number) {
  const invoice = await get(`/invoices/${encodeURIComponent(number)}`);
  const credit = invoice.kind === "credit_note";
  const title = `${INVOICE_KIND[invoice.kind] || "Facture"} ${invoice.number}`;
  const toolbar = h("div", { class: "toolbar", role: "group", "aria-label": "Actions sur la facture" });
  const problem = h("div", { class: "toolbar-error" });
  const downloadButton = h("button", { type: "button", class: "primary" }, "Télécharger (PDF)");
  downloadButton.addEventListener("click", () => {
    problem.replaceChildren();
    busy(downloadButton, "Préparation du PDF…", async () => {
      const pdf = await get(`/invoices/${encodeURIComponent(invoice.number)}/pdf`);
      openUrlOrLink(toolbar, pdf.url, `la facture ${invoice.number} (PDF)`);
    }).catch((error) => showProblem(problem, error));
  });
  add(toolbar, downloadButton);
  if (!credit) {
    const creditButton = h("button", {
      type: "button", class: "secondary", disabled: !mayCredit(), "aria-describedby": mayCredit() ? null : "credit-who",
    }, "Créer un avoir");
    creditButton.addEventListener("click", () => openCreditDialog(invoice));
    add(toolbar, creditButton,
      mayCredit() ? null : h("p", { class: "hint", id: "credit-who" }, "Un avoir est émis par un manager, un administrateur ou l'ADV."));
  }
  const buyer = invoice.buyer;
  const address = buyer.address ? [buyer.address.line1, buyer.address.line2, `${buyer.address.postal_code} ${buyer.address.city}`]
    .filter(Boolean).join(", ") : null;
  add(main,
    h("nav", { class: "crumbs", "aria-label": "Fil d'Ariane" }, h("a", { href: "#/invoices" }, "Factures"), " › ", invoice.number),
    h("div", { class: "page-head" }, h("div", {},
      h("h1", {}, title),
      h("p", { class: "muted" }, `${buyer.name} · ${credit ? "émis" : "émise"} le ${day(invoice.issue_date)}`))),
    toolbar, problem,
    h("section", { class: "card", "aria-labelledby": "invoice-facts" },
      h("h2", { id: "invoice-facts" }, "Informations"),
      facts([
        ["Client", buyer.name], ["Contact", buyer.contact_name], ["SIREN", buyer.siren], ["Adresse", address],
        ["Date d'émission", day(invoice.issue_date)],
        ["Date de la vente ou du paiement", invoice.sale_date ? day(invoice.sale_date) : null],
        ["Référence", invoice.order_reference],
        ["Facture d'origine", invoice.credited_number
          ? h("a", { href: `#/invoices/${invoice.credited_number}` }, `${invoice.credited_number} du ${day(invoice.credited_issue_date)}`) : null],
        ["Motif", invoice.reason],
        ["Conditions de paiement", invoice.payment_terms],
      ])),
    h("section", { class: "card", "aria-labelledby": "invoice-lines" },
      h("h2", { id: "invoice-lines" }, "Lignes"),
      scrollingTable("Lignes de la facture", linesTable(invoice.lines))),
    h("section", { class: "card", "aria-labelledby": "invoice-totals" },
      h("h2", { id: "invoice-totals" }, "Totaux"),
      totalsTable(invoice)),
    credit ? null : creditNotes(invoice));
}

// The credit notes issued on this invoice (a refund, a withdrawal, a correction), from the invoice's read.
function creditNotes(invoice) {
  const notes = invoice.credit_notes || [];
  const credited = notes.reduce((sum, note) => sum + note.ttc_cents, 0);
  return h("section", { class: "card", "aria-labelledby": "invoice-credit-notes" },
    h("h2", { id: "invoice-credit-notes" }, "Avoirs"),
    notes.length ? [
      scrollingTable("Avoirs émis sur cette facture", h("table", { class: "table credit-notes-table" },
        h("thead", {}, h("tr", {},
          h("th", { scope: "col" }, "Numéro"),
          h("th", { scope: "col" }, "Date"),
          h("th", { scope: "col", class: "num" }, "Montant TTC"))),
        h("tbody", {}, notes.map((note) => h("tr", {},
          h("td", {}, h("a", { href: `#/invoices/${note.number}`, class: "strong" }, note.number)),
          h("td", {}, shortDay(note.issue_date)),
          h("td", { class: "num" }, money(-note.ttc_cents))))))),
      h("p", { class: "muted" }, `Crédité : ${money(credited)} sur ${money(invoice.totals.ttc_cents)} TTC.`),
    ] : h("p", { class: "muted" }, "Aucun avoir émis sur cette facture."));
}

function linesTable(lines) {
  return h("table", { class: "table" },
    h("thead", {}, h("tr", {},
      h("th", { scope: "col" }, "Désignation"),
      h("th", { scope: "col", class: "num" }, "Qté"),
      h("th", { scope: "col", class: "num" }, "Prix unitaire HT"),
      h("th", { scope: "col", class: "num" }, "TVA"),
      h("th", { scope: "col", class: "num" }, "Montant HT"))),
    h("tbody", {}, lines.map((line) => h("tr", {},
      h("td", {}, line.label, line.description ? h("div", { class: "muted small" }, line.description) : null),
      h("td", { class: "num" }, line.quantity),
      h("td", { class: "num" }, money(line.unit_price_cents)),
      h("td", { class: "num" }, line.margin_scheme ? "Régime particulier – Biens d'occasion" : rateOf(line.vat_rate_bp)),
      h("td", { class: "num" }, money(line.ht_cents))))));
}

const rateOf = (bp) => `${String(bp / 100).replace(".", ",")} %`;

function totalsTable(invoice) {
  const t = invoice.totals;
  const rows = [
    ["Total HT", money(t.ht_cents)],
    ...t.by_rate.map((group) => [`TVA ${rateOf(group.vat_rate_bp)} sur ${money(group.base_cents)}`, money(group.vat_cents)]),
    t.margin_scheme_cents ? ["Biens d'occasion (sans TVA apparente)", money(t.margin_scheme_cents)] : null,
    ["Total TVA", money(t.vat_cents)],
    ["Total TTC", money(t.ttc_cents), !invoice.deductions.length],
    ...invoice.deductions.map((d) => [`Acompte facturé (n° ${d.number} du ${shortDay(d.issue_date)})`, money(-d.ttc_cents)]),
    invoice.deductions.length ? ["Net à payer", money(t.due_cents), true] : null,
  ].filter(Boolean);
  return h("table", { class: "table totals" },
    h("tbody", {}, rows.map(([label, value, grand]) => h("tr", { class: grand ? "grand" : null },
      h("th", { scope: "row" }, label), h("td", { class: "num" }, value)))));
}

function openCreditDialog(invoice) {
  dialog({
    title: `Avoir sur la facture ${invoice.number}`,
    submitLabel: "Émettre l'avoir",
    busyLabel: "Émission…",
    build: (form) => form.append(
      h("p", {}, `Un avoir annule tout ou partie de la facture (${money(invoice.totals.ttc_cents)} TTC). Il ne peut pas être modifié une fois émis.`),
      field("Montant TTC (€)", input("amount_cents", "", { inputmode: "decimal", placeholder: eurosInput(invoice.totals.ttc_cents) }),
        { hint: "Laissez vide pour créditer tout ce qui reste de la facture." }),
      field("Motif", textarea("reason", "", { maxlength: 300, rows: 3, required: true }))),
    submit: async (form) => {
      const typed = valueOf(form, "amount_cents").trim();
      const amount = typed ? parseEuros(typed) : null;
      if (typed && !amount) throw new FormProblem({ amount_cents: "Valid number" });
      const note = await post(`/invoices/${encodeURIComponent(invoice.number)}/credit-notes`,
        { reason: valueOf(form, "reason").trim(), ...(amount ? { amount_cents: amount } : {}) });
      toast(`Avoir ${note.number} émis.`);
      go(`#/invoices/${note.number}`);
    },
  });
}

function showProblem(holder, error) {
  if (!(error instanceof ApiError)) throw error;
  holder.replaceChildren(h("p", { class: "field-error", role: "alert" }, error.message));
}

// "Facturer" on a quote that sells no vehicle: the invoice is issued, then shown.
export async function invoiceQuote(quote) {
  const invoice = await post(`/quotes/${quote.id}/invoice`);
  toast(`Facture ${invoice.number} émise.`);
  go(`#/invoices/${invoice.number}`);
}
