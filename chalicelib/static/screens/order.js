// The order page (seed 001's to-do list, docs/orders.md): the next action in the header, what
// blocks the handover and the sale, the milestones by day with "Fait", the documents (upload by
// presigned POST then confirmation; back office accepts or rejects), payments, the handover day,
// the cancellation's steps and the history. Every action reloads the page from the API.
import { ApiError, get, post, put } from "../api.js";
import { context, ROLES, userName } from "../context.js";
import { go, reload } from "../nav.js";
import { uploadDocument } from "../upload.js";
import {
  add, badge, busy, checkbox, day, dialog, empty, facts, field, FormProblem, h, input, money, openUrlOrLink, parseEuros,
  scrollingTable, select, showErrors, textarea, toast, valueOf, when,
} from "../ui.js";
import { workPanel } from "./record-work.js";

export const ORDER_STATUS = {
  reserved: "Réservée", organised: "Cession organisée", handed_over: "Véhicule remis", sold: "Vendue",
  cancelling: "Annulation en cours", cancelled: "Annulée",
};
export const DOCUMENT_KINDS = {
  identity: "Pièce d'identité du titulaire", proof_of_address: "Justificatif de domicile",
  driving_licence: "Permis de conduire", insurance_certificate: "Attestation d'assurance",
  co_holder_identity: "Pièce d'identité du cotitulaire", kbis: "Extrait Kbis",
  manager_identity: "Pièce d'identité du gérant", collector_licence: "Permis de la personne qui récupère le véhicule",
  company_transfer: "Virement fait depuis le compte de la société", handover_slip: "Bon de remise",
  certificate_of_sale: "Certificat de cession (cerfa 15776)", barred_registration: "Carte grise barrée",
  refund_identity: "Pièce d'identité recto/verso (remboursement)", other: "Autre document",
};
const DOCUMENT_STATUS = { awaiting_upload: "Fichier non reçu", to_review: "À contrôler", accepted: "Accepté", rejected: "Refusé" };
const PAYMENT_METHODS = { transfer: "Virement", bankers_cheque: "Chèque de banque", credit: "Crédit" };
const PAYMENT_KINDS = { deposit: "Acompte", balance: "Solde", down_payment: "Apport" };
const HOLDERS = { individual: "Particulier", co_holders: "Titulaire et cotitulaire", company: "Société" };
const WHO = { system: "Offerline", customer: "Client" };
const REVIEWERS = ["back_office", "manager", "admin"];
const OVERRIDERS = ["manager", "admin"];
const EVENTS = {
  opened: "Commande ouverte", handover_date_set: "Date de cession fixée", payment_plan_set: "Moyen de paiement choisi",
  holder_set: "Titulaire de la carte grise", delivery_set: "Mode de remise", payment_recorded: "Paiement enregistré",
  funds_received: "Fonds reçus", transfer_order_confirmed: "Ordre de virement confirmé", credit_approved: "Crédit accordé",
  milestone_done: "Étape faite", milestone_due: "Étape à faire (rappel envoyé)", document_requested: "Document demandé",
  document_received: "Document reçu", document_accepted: "Document accepté", document_rejected: "Document refusé",
  organised: "Cession organisée", handed_over: "Véhicule remis", sold: "Vendue",
  cancellation_requested: "Annulation demandée", refund_iban_given: "IBAN du remboursement",
  refund_due_soon: "Remboursement bientôt dû", cancelled: "Commande annulée",
  task_created: "Tâche créée", task_completed: "Tâche terminée",
  customer_reminded: "Client relancé",
};

export async function render({ main, params: [orderId] }) {
  const [view, { users, me }] = await Promise.all([get(`/orders/${orderId}`), context()]);
  const { order } = view;
  const role = me?.role;
  const errors = h("div", { class: "order-errors", "aria-live": "polite" }, h("div", { class: "form-error-slot" }));
  // A refused action (409 guard naming what is missing, 403…) shows under the toolbar.
  const act = (button, label, action) => busy(button, label, action).then(() => reload(), (error) => {
    if (error instanceof ApiError) showErrors(errors, error);
    else throw error;
  });
  const button = (text, label, action, kind = "secondary") => {
    const b = h("button", { type: "button", class: kind });
    b.textContent = text;
    b.addEventListener("click", () => action(b, label));
    return b;
  };
  const call = (path, body) => (b, label) => act(b, label, () => post(`/orders/${orderId}${path}`, body));

  const open = !["sold", "cancelling", "cancelled"].includes(order.status);
  const toolbar = h("div", { class: "toolbar", role: "group", "aria-label": "Actions sur la commande" });
  if (open && order.status !== "handed_over") {
    add(toolbar,
      button("Date de cession", "", () => handoverDialog(view, role)),
      button("Paiement", "", () => paymentPlanDialog(view)),
      button("Titulaire", "", () => holderDialog(view)),
      button("Remise", "", () => deliveryDialog(view)));
  }
  if (open) add(toolbar, button("Enregistrer un paiement", "", () => paymentDialog(view)));
  if (open && order.payment?.method === "transfer" && !order.transfer_order_confirmed_at) {
    add(toolbar, button("Ordre de virement confirmé", "Enregistrement…", call("/transfer-order")));
  }
  if (open && order.payment?.method === "credit" && !order.credit_approved_at) {
    add(toolbar, button("Crédit accordé", "Enregistrement…", call("/credit-approval")));
  }
  if (order.status === "reserved") add(toolbar, button("Cession organisée", "Enregistrement…", call("/organise")));
  if (["reserved", "organised"].includes(order.status)) {
    add(toolbar, button("Remettre le véhicule", "Remise…", call("/handover"), "primary"));
  }
  if (order.status === "handed_over") add(toolbar, button("Marquer vendue", "Enregistrement…", call("/sold"), "primary"));
  if (!["cancelling", "cancelled"].includes(order.status)) {
    add(toolbar, button("Annuler la commande", "", () => cancelDialog(view), "secondary danger-text"));
  }

  const next = order.next_action;
  const nextLate = next && new Date(next.due_by) < new Date();
  add(main,
    h("nav", { class: "crumbs", "aria-label": "Fil d'Ariane" }, h("a", { href: "#/orders" }, "Commandes"), ` › ${order.customer.name}`),
    h("section", { class: `order-header status-${order.status}`, "aria-labelledby": "order-title" },
      h("div", { class: "lead-title-row" },
        h("h1", { id: "order-title" }, `Commande ${order.customer.name}`),
        badge("order", order.status, ORDER_STATUS[order.status])),
      h("p", { class: ["next-action", nextLate && "late"] }, next
        ? ["Prochaine action : ", h("strong", {}, next.label), ` — ${nextLate ? "en retard depuis le" : "pour le"} ${when(next.due_by)}`]
        : "Aucune action en attente."),
      facts([
        ["Véhicule", vehicleText(order.vehicle)],
        ["Cession", `${day(order.handover_on)} à ${order.handover_slot.slice(0, 5)}`],
        ["Total TTC", money(order.total_ttc_cents)],
        ["Reçu", `${money(order.received_cents)} (dont acompte ${money(order.deposit_paid_cents)})`],
        ["Paiement", order.payment ? PAYMENT_METHODS[order.payment.method] : "à choisir"],
        ["Titulaire", order.holder ? `${order.holder.name} (${HOLDERS[order.holder.kind]})` : "à renseigner"],
        ["Vendeur", userName(users, order.seller_id)],
        ["Devis", order.quote_id ? h("a", { href: `#/quotes/${order.quote_id}` }, "Ouvrir le devis") : null],
        ["Lead", order.lead_id ? h("a", { href: `#/leads/${order.lead_id}` }, "Ouvrir le lead") : null],
        ["Retard", view.overdue ? `${view.overdue} étape${view.overdue > 1 ? "s" : ""} en retard` : null],
      ], "facts facts-inline")),
    blockersNotice(view),
    toolbar,
    errors,
    cancellationSection(view, role, act),
    h("div", { class: "lead-layout" },
      h("div", { class: "stack" },
        milestonesSection(view, button, call),
        documentsSection(view, role),
        workPanel("order", order.id)),
      h("div", { class: "stack" },
        paymentsSection(view),
        historySection(view, users))));
}

function vehicleText(v) {
  return [v.make, v.model, v.version, v.registration].filter(Boolean).join(" ");
}

function blockersNotice({ order, blockers }) {
  const move = order.status === "handed_over" ? ["la vente", blockers.sold]
    : ["reserved", "organised"].includes(order.status) ? ["la remise du véhicule", blockers.handover] : null;
  if (!move || !move[1].length) return null;
  return h("section", { class: "notice blockers", "aria-labelledby": "blockers-title" },
    h("h2", { id: "blockers-title" }, `Avant ${move[0]}, il manque`),
    h("ul", {}, move[1].map((text) => h("li", {}, text))));
}

// --- milestones, grouped by their due day ------------------------------------------------------

const dayKey = new Intl.DateTimeFormat("fr-CA", { timeZone: "Europe/Paris", year: "numeric", month: "2-digit", day: "2-digit" });

function milestonesSection(view, button, call) {
  const open = !["cancelling", "cancelled"].includes(view.order.status);
  const days = new Map();
  for (const m of view.milestones) {
    const key = dayKey.format(new Date(m.due_by));
    if (!days.has(key)) days.set(key, []);
    days.get(key).push(m);
  }
  const done = view.milestones.filter((m) => m.done_at).length;
  return h("section", { class: "card milestones", "aria-labelledby": "milestones-title" },
    h("h2", { id: "milestones-title" }, "Étapes"),
    h("p", { class: "muted small" }, `${done} sur ${view.milestones.length} faites${view.overdue ? ` · ${view.overdue} en retard` : ""}.`),
    [...days.entries()].sort(([a], [b]) => a.localeCompare(b)).map(([key, items]) => h("div", { class: "milestone-day" },
      h("h3", {}, day(key)),
      h("ul", { class: "checklist" }, items.map((m) => h("li", {
        class: ["milestone", m.done_at && "is-done", m.overdue && "overdue", !m.applies && "not-applicable"],
      },
      h("span", { class: "check-mark", "aria-hidden": "true" }, m.done_at ? "✓" : ""),
      h("div", { class: "milestone-text" },
        h("span", {}, m.label, m.guard ? h("span", { class: "guard-mark" }, " (obligatoire)") : null),
        h("div", { class: "muted small" }, [ROLES[m.role] || m.role,
          m.done_at ? `fait le ${when(m.done_at)}` : !m.applies ? "ne s'applique pas" : m.overdue ? null : `pour le ${when(m.due_by)}`,
        ].filter(Boolean).join(" · "), m.overdue && !m.done_at ? h("span", { class: "late" }, " · en retard") : null)),
      !m.done_at && m.applies && open
        ? named(button("Fait", "Enregistrement…", call(`/milestones/${m.code}/done`)), `Fait : ${m.label}`) : null))))));
}

function named(element, label) {
  element.setAttribute("aria-label", label);
  return element;
}

// --- documents -------------------------------------------------------------------------------

function documentsSection(view, role) {
  const { order } = view;
  const kinds = [...new Set([...view.required_documents, "handover_slip", "certificate_of_sale", "barred_registration",
    ...(order.cancellation ? ["refund_identity"] : []), "other"])];
  const missing = view.missing_documents;
  const form = h("form", { class: "upload-form", novalidate: true, "aria-label": "Ajouter un document" },
    h("div", { class: "form-error-slot" }),
    h("div", { class: "grid-2" },
      field("Type de document", select("kind", kinds.map((k) => [k, DOCUMENT_KINDS[k] || k]), missing[0] || kinds[0])),
      h("div", { "data-field": "filename" }, h("div", { "data-field": "content_type" }, h("div", { "data-field": "file" },
        field("Fichier", h("input", { type: "file", name: "file", accept: ".pdf,.jpg,.jpeg,.png,application/pdf,image/jpeg,image/png" }),
          { hint: "PDF, JPEG ou PNG, 10 Mo au plus." }))))),
    h("button", { type: "submit", class: "primary" }, "Envoyer le document"));
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    try {
      await busy(form.querySelector("button[type=submit]"), "Envoi du fichier…", () => upload(order.id, form));
      toast("Document reçu : il attend le contrôle de l'ADV.");
      reload();
    } catch (error) {
      if (error instanceof ApiError) showErrors(form, error);
      else throw error;
    }
  });
  const reviewer = REVIEWERS.includes(role);
  const rows = view.documents.map((d) => h("tr", {},
    h("td", {}, DOCUMENT_KINDS[d.kind] || d.kind, h("div", { class: "muted small" }, d.filename)),
    h("td", {}, badge("document", d.status, DOCUMENT_STATUS[d.status]),
      d.rejection_reason ? h("div", { class: "small" }, `Motif : ${d.rejection_reason}`) : null),
    h("td", {}, h("div", { class: "row-actions" },
      d.status === "awaiting_upload" ? null : downloadButton(order.id, d),
      reviewer && d.status === "to_review" ? [reviewButton(order.id, d, true), reviewButton(order.id, d, false)] : null))));
  return h("section", { class: "card", "aria-labelledby": "documents-title" },
    h("h2", { id: "documents-title" }, "Documents"),
    missing.length
      ? h("p", {}, "À recevoir et faire accepter : ", missing.map((k) => DOCUMENT_KINDS[k] || k).join(", "), ".")
      : view.required_documents.length ? h("p", { class: "muted" }, "Toutes les pièces du titulaire sont acceptées.")
        : h("p", { class: "muted" }, "Renseignez le titulaire de la carte grise pour savoir quelles pièces demander."),
    rows.length ? scrollingTable("Documents de la commande", h("table", { class: "table documents-table" },
      h("thead", {}, h("tr", {}, h("th", { scope: "col" }, "Document"), h("th", { scope: "col" }, "État"),
        h("th", { scope: "col" }, h("span", { class: "visually-hidden" }, "Actions")))),
      h("tbody", {}, rows))) : h("p", { class: "muted" }, "Aucun document pour l'instant."),
    ["cancelled", "sold"].includes(order.status) ? null : form);
}

async function upload(orderId, form) {
  return uploadDocument(form, `/orders/${orderId}/documents`, { kind: valueOf(form, "kind") });
}

// A 5-minute link from the API (GET …/download), opened in a new tab: the file itself never passes the API.
function downloadButton(orderId, d) {
  const label = DOCUMENT_KINDS[d.kind] || d.kind;
  const b = h("button", { type: "button", class: ["small", "secondary"], "aria-label": `Télécharger : ${label}` }, "Télécharger");
  b.addEventListener("click", () => busy(b, "Préparation…", async () => {
    const link = await get(`/orders/${orderId}/documents/${d.id}/download`);
    openUrlOrLink(b.closest("td"), link.url, `${d.filename}`);
  }));
  return b;
}

function reviewButton(orderId, d, accepted) {
  const label = DOCUMENT_KINDS[d.kind] || d.kind;
  const b = h("button", { type: "button", class: ["small", accepted ? "secondary" : "secondary danger-text"],
    "aria-label": `${accepted ? "Accepter" : "Refuser"} : ${label}` }, accepted ? "Accepter" : "Refuser");
  b.addEventListener("click", () => dialog({
    title: accepted ? `Accepter : ${label}` : `Refuser : ${label}`,
    submitLabel: accepted ? "Accepter" : "Refuser",
    busyLabel: "Enregistrement…",
    build: (form) => add(form, accepted
      ? h("p", {}, `${d.filename} est lisible et conforme.`)
      : field("Motif du refus", textarea("reason", "", { maxlength: 500, rows: 3 }), { hint: "Le vendeur le transmet au client." })),
    submit: async (form) => {
      await post(`/orders/${orderId}/documents/${d.id}/review`, accepted ? { accepted } : { accepted, reason: valueOf(form, "reason").trim() });
      toast(accepted ? "Document accepté." : "Document refusé : le vendeur est prévenu.");
      reload();
    },
  }));
  return b;
}

// --- payments ----------------------------------------------------------------------------------

function paymentsSection({ order, payments }) {
  const plan = order.payment;
  return h("section", { class: "card", "aria-labelledby": "payments-title" },
    h("h2", { id: "payments-title" }, "Paiements"),
    facts([
      ["Moyen", plan ? PAYMENT_METHODS[plan.method] : "à choisir"],
      ["Financé", plan?.method === "credit" ? `${money(plan.financed_cents)}${plan.lender ? ` (${plan.lender})` : ""}` : null],
      ["Apport", plan?.method === "credit" ? money(plan.down_payment_cents) : null],
      ["Ordre de virement", plan?.method === "transfer" ? (order.transfer_order_confirmed_at ? `confirmé le ${when(order.transfer_order_confirmed_at)}` : "à confirmer") : null],
      ["Crédit", plan?.method === "credit" ? (order.credit_approved_at ? `accordé le ${when(order.credit_approved_at)}` : "en attente d'accord") : null],
      ["Fonds", order.funds_received_at ? `reçus le ${when(order.funds_received_at)}` : `${money(order.received_cents)} reçus sur ${money(order.total_ttc_cents)}`],
    ]),
    payments.length ? h("ul", { class: "plain-list" }, payments.map((p) => h("li", {},
      h("strong", {}, money(p.amount_cents)), ` · ${PAYMENT_KINDS[p.kind] || p.kind} · ${when(p.received_at)}`))) : null);
}

// --- history -----------------------------------------------------------------------------------

function historySection({ history }, users) {
  return h("section", { class: "timeline", "aria-labelledby": "history-title" },
    h("h2", { id: "history-title" }, "Historique"),
    h("ol", {}, [...history].reverse().map((e) => h("li", { class: `event-${e.kind}` },
      h("p", {}, h("strong", {}, EVENTS[e.kind] || e.kind), eventDetail(e)),
      h("p", { class: "muted small" }, `${when(e.at)} · ${WHO[e.by] || userName(users, e.by)}`)))));
}

function eventDetail({ kind, details: d }) {
  const text = {
    handover_date_set: d.to && `: ${day(d.to)}${d.override_reason ? ` (raison : ${d.override_reason})` : ""}`,
    milestone_done: d.label && `: ${d.label}`,
    payment_recorded: d.amount_cents && `: ${money(d.amount_cents)}`,
    document_requested: d.kind && `: ${DOCUMENT_KINDS[d.kind] || d.kind}`,
    document_received: d.kind && `: ${DOCUMENT_KINDS[d.kind] || d.kind}`,
    document_accepted: d.kind && `: ${DOCUMENT_KINDS[d.kind] || d.kind}`,
    document_rejected: d.kind && `: ${DOCUMENT_KINDS[d.kind] || d.kind}${d.reason ? ` (${d.reason})` : ""}`,
    refund_iban_given: d.iban && `: ${d.iban}`,
    customer_reminded: d.channels && `(${d.channels.replace("email", "e-mail").replace("sms", "SMS").replace(",", ", ")})`,
  }[kind];
  return text ? ` ${text}` : "";
}

// --- dialogs -----------------------------------------------------------------------------------

function saved(message) {
  toast(message);
  reload();
}

function handoverDialog({ order }, role) {
  const overrider = OVERRIDERS.includes(role);
  dialog({
    title: "Date de cession",
    build: (form) => add(form,
      h("p", { class: "muted" }, `Entre 10 et 15 jours après la réservation du ${day(order.reserved_on)}` +
        (overrider ? " ; au-delà, indiquez votre raison." : " ; au-delà, voyez avec un responsable.")),
      h("div", { class: "grid-2" },
        field("Jour de cession", input("handover_on", order.handover_on, { type: "date" })),
        field("Heure", input("handover_slot", order.handover_slot.slice(0, 5), { type: "time" }))),
      overrider ? field("Raison (hors 10 à 15 jours)", textarea("reason", "", { maxlength: 500, rows: 2 })) : null),
    submit: async (form) => {
      const body = { handover_on: valueOf(form, "handover_on"), handover_slot: valueOf(form, "handover_slot") || null };
      const reason = empty(valueOf(form, "reason"));
      if (reason) body.reason = reason;
      await put(`/orders/${order.id}/handover-date`, body);
      saved("Date de cession enregistrée : les étapes sont recalées.");
    },
  });
}

function paymentPlanDialog({ order }) {
  const plan = order.payment;
  dialog({
    title: "Moyen de paiement",
    build: (form) => add(form,
      field("Moyen", select("method", Object.entries(PAYMENT_METHODS), plan?.method || "transfer")),
      h("fieldset", { class: "credit-only" }, h("legend", {}, "Crédit"),
        h("div", { class: "grid-2" },
          field("Montant financé (€)", input("financed_cents", plan?.financed_cents ? String(plan.financed_cents / 100) : "", { inputmode: "decimal" })),
          field("Apport (€)", input("down_payment_cents", plan?.down_payment_cents ? String(plan.down_payment_cents / 100) : "", { inputmode: "decimal" }))),
        field("Organisme", input("lender", plan?.lender || "", { maxlength: 80 })),
        h("div", { "data-field": "financed" },
          checkbox("financed.reservation_fees", "Frais de réservation financés", plan?.financed?.reservation_fees),
          checkbox("financed.registration", "Carte grise financée", plan?.financed?.registration),
          checkbox("financed.delivery", "Livraison financée", plan?.financed?.delivery)))),
    submit: async (form) => {
      const method = valueOf(form, "method");
      const body = { method };
      if (method === "credit") {
        body.financed_cents = euros(form, "financed_cents");
        body.down_payment_cents = euros(form, "down_payment_cents");
        body.lender = empty(valueOf(form, "lender"));
        body.financed = Object.fromEntries(["reservation_fees", "registration", "delivery"].map((k) => [k, form.elements.namedItem(`financed.${k}`).checked]));
      }
      await put(`/orders/${order.id}/payment-plan`, body);
      saved("Moyen de paiement enregistré.");
    },
  });
}

function euros(form, name) {
  const text = valueOf(form, name).trim();
  if (!text) return 0;
  const cents = parseEuros(text);
  if (cents === null || Number.isNaN(cents)) throw new FormProblem({ [name]: "Montant invalide." });
  return cents;
}

function holderDialog({ order }) {
  const holder = order.holder || { kind: "individual", name: order.customer.name, present_at_handover: true };
  dialog({
    title: "Titulaire de la carte grise",
    build: (form) => add(form,
      field("Titulaire", select("kind", Object.entries(HOLDERS), holder.kind)),
      field("Nom du titulaire ou de la société", input("name", holder.name, { maxlength: 120 })),
      field("Cotitulaire", input("co_holder_name", holder.co_holder_name || "", { maxlength: 120 }), { hint: "Titulaire et cotitulaire seulement." }),
      h("div", { class: "grid-2" },
        field("SIREN", input("siren", holder.siren || "", { inputmode: "numeric", maxlength: 9 })),
        field("Gérant", input("manager_name", holder.manager_name || "", { maxlength: 120 }))),
      field("Qui récupère le véhicule (société)", input("collector_name", holder.collector_name || "", { maxlength: 120 })),
      checkbox("present_at_handover", "Le titulaire est présent à la cession", holder.present_at_handover),
      field("Sinon, qui vient avec une procuration", input("proxy_name", holder.proxy_name || "", { maxlength: 120 }))),
    submit: async (form) => {
      const body = { kind: valueOf(form, "kind"), name: valueOf(form, "name").trim(), present_at_handover: form.elements.namedItem("present_at_handover").checked };
      for (const name of ["co_holder_name", "siren", "manager_name", "collector_name", "proxy_name"]) {
        const value = empty(valueOf(form, name));
        if (value) body[name] = value;
      }
      await put(`/orders/${order.id}/holder`, body);
      saved("Titulaire enregistré.");
    },
  });
}

function deliveryDialog({ order }) {
  const d = order.delivery || { mode: "branch" };
  dialog({
    title: "Mode de remise",
    build: (form) => add(form,
      field("Remise", select("mode", [["branch", "Cession sur site (avec inspecteur)"], ["home", "Livraison à domicile (partenaire)"]], d.mode)),
      field("Adresse de livraison", input("address", d.address || "", { maxlength: 300 }), { hint: "Livraison à domicile seulement." }),
      h("div", { class: "grid-2" },
        field("Inspecteur (nom)", input("inspector.name", d.inspector?.name || "", { maxlength: 120 })),
        field("Inspecteur (e-mail)", input("inspector.email", d.inspector?.email || "", { type: "email" })),
        field("Partenaire de livraison (nom)", input("partner.name", d.partner?.name || "", { maxlength: 120 })),
        field("Partenaire (e-mail)", input("partner.email", d.partner?.email || "", { type: "email" })))),
    submit: async (form) => {
      const body = { mode: valueOf(form, "mode") };
      const address = empty(valueOf(form, "address"));
      if (address) body.address = address;
      for (const who of ["inspector", "partner"]) {
        const name = empty(valueOf(form, `${who}.name`));
        if (name) body[who] = { name, email: empty(valueOf(form, `${who}.email`)) };
      }
      await put(`/orders/${order.id}/delivery`, body);
      saved("Mode de remise enregistré.");
    },
  });
}

function paymentDialog({ order }) {
  const left = Math.max(order.total_ttc_cents - order.received_cents, 0);
  dialog({
    title: "Enregistrer un paiement",
    build: (form) => add(form,
      h("p", { class: "muted" }, `Reste à recevoir : ${money(left)}.`),
      field("Nature", select("kind", [["balance", "Solde"], ["down_payment", "Apport (crédit)"]], "balance")),
      field("Montant reçu (€)", input("amount_cents", left ? String(left / 100).replace(".", ",") : "", { inputmode: "decimal" }))),
    submit: async (form) => {
      const amount = euros(form, "amount_cents");
      if (!amount) throw new FormProblem({ amount_cents: "Indiquez le montant reçu." });
      await post(`/orders/${order.id}/payments`, { kind: valueOf(form, "kind"), amount_cents: amount });
      saved("Paiement enregistré.");
    },
  });
}

// --- cancellation (docs/orders.md, "Cancellation") ---------------------------------------------

function cancelDialog({ order }) {
  const afterHandover = ["handed_over", "sold"].includes(order.status);
  dialog({
    title: "Annuler la commande",
    submitLabel: "Demander l'annulation",
    busyLabel: "Envoi de la demande…",
    build: (form) => add(form,
      h("p", {}, order.funds_received_at
        ? "Les fonds sont reçus : avant le remboursement, il faudra deux pièces d'identité recto/verso et le RIB du client."
        : "Seul l'acompte est reçu : un responsable valide le remboursement."),
      order.status === "organised" ? h("p", {}, "La cession est organisée : l'ADV, l'inspecteur et le partenaire de livraison seront prévenus.") : null,
      field("Motif", select("reason", afterHandover ? [["withdrawal", "Rétractation (14 jours)"]]
        : [["cancellation", "Annulation"], ["withdrawal", "Rétractation (14 jours)"]], afterHandover ? "withdrawal" : "cancellation")),
      field("Note", textarea("note", "", { maxlength: 1000, rows: 3 }))),
    submit: async (form) => {
      await post(`/orders/${order.id}/cancellation`, { reason: valueOf(form, "reason"), note: empty(valueOf(form, "note")) });
      saved("Annulation demandée : les responsables sont prévenus.");
    },
  });
}

function cancellationSection(view, role, act) {
  const c = view.order.cancellation;
  if (!c) return null;
  const ids = view.documents.filter((d) => d.kind === "refund_identity" && d.status !== "rejected" && d.status !== "awaiting_upload").length;
  const steps = [
    ["Demande enregistrée", `${c.reason === "withdrawal" ? "Rétractation" : "Annulation"} le ${when(c.requested_at)}${c.note ? ` : ${c.note}` : ""}`, true],
    c.organised ? ["ADV, inspecteur et partenaire prévenus", "La cession était organisée.", true] : null,
    c.branch === "after_funds" ? ["Deux pièces d'identité recto/verso", `${Math.min(ids, 2)} sur 2 reçues (ajoutez-les dans Documents).`, ids >= 2] : null,
    c.branch === "after_funds" ? ["RIB du client", c.iban_masked ? `IBAN ${c.iban_masked}` : "à recueillir", Boolean(c.iban_masked)] : null,
    ["Remboursement validé par un responsable", c.approved_at ? `le ${when(c.approved_at)}`
      : `${money(c.refund_cents)} à rembourser${c.refund_due_on ? ` au plus tard le ${day(c.refund_due_on)} (art. L221-24 du Code de la consommation)` : ""}`, Boolean(c.approved_at)],
  ].filter(Boolean);
  const actions = h("div", { class: "toolbar" });
  if (!c.approved_at && c.branch === "after_funds") {
    const b = h("button", { type: "button", class: "secondary" }, c.iban_masked ? "Changer le RIB" : "Saisir le RIB");
    b.addEventListener("click", () => dialog({
      title: "RIB du client pour le remboursement",
      build: (form) => add(form, field("IBAN", input("iban", "", { maxlength: 50, autocomplete: "off" }))),
      submit: async (form) => {
        await put(`/orders/${view.order.id}/cancellation/iban`, { iban: valueOf(form, "iban").trim() });
        saved("RIB enregistré.");
      },
    }));
    add(actions, b);
  }
  if (!c.approved_at && OVERRIDERS.includes(role)) {
    const b = h("button", { type: "button", class: "primary" }, "Valider le remboursement");
    b.addEventListener("click", () => act(b, "Validation…", () => post(`/orders/${view.order.id}/cancellation/approve`)));
    add(actions, b);
  }
  return h("section", { class: "card cancellation", "aria-labelledby": "cancellation-title" },
    h("h2", { id: "cancellation-title" }, "Annulation"),
    h("ol", { class: "steps" }, steps.map(([title, text, done]) => h("li", { class: done ? "is-done" : "to-do" },
      h("strong", {}, `${done ? "Fait" : "À faire"} — ${title}`), h("div", { class: "muted small" }, text)))),
    actions.childElementCount ? actions : null);
}

// "Créer une commande" from a quote: a showroom reservation (POST /orders with the quote).
export function openOrderDialog(quote) {
  dialog({
    title: "Créer une commande",
    submitLabel: "Créer la commande",
    busyLabel: "Création de la commande…",
    build: (form) => add(form,
      h("p", { class: "muted" }, "Le client réserve le véhicule de ce devis en concession. La cession est fixée à J+10 par défaut."),
      h("div", { class: "grid-2" },
        field("Acompte reçu (€)", input("deposit_paid_cents", "", { inputmode: "decimal" })),
        field("Réglé par", select("deposit_method", [["", "—"], ["card", "Carte"], ...Object.entries(PAYMENT_METHODS).filter(([k]) => k !== "credit")], ""))),
      field("Jour de cession", input("handover_on", "", { type: "date" }), { hint: "Entre 10 et 15 jours après aujourd'hui ; vide : dans 10 jours." })),
    submit: async (form) => {
      const body = { quote_id: quote.id, deposit_paid_cents: euros(form, "deposit_paid_cents") };
      const method = valueOf(form, "deposit_method");
      if (method) body.deposit_method = method;
      const handover = valueOf(form, "handover_on");
      if (handover) body.handover_on = handover;
      const view = await post("/orders", body);
      toast("Commande créée.");
      go(`#/orders/${view.order.id}`);
    },
  });
}
