// One proposal: status, views, the signer banner with the proofs once accepted, the
// seller's actions (send, remind, edit what may still change, withdraw, PDF), the lines
// and the full history.
import { ApiError, apiUrl, download, get, patch, post, put } from "../api.js";
import { context, userName } from "../context.js";
import { reload } from "../nav.js";
import {
  add, PROPOSAL_STATUS, badge, busy, checkbox, checked, confirmDialog, day, dialog, empty, facts, field, h, input, money,
  openUrlOrLink, phoneE164, rate, select, showErrors, textarea, toast, valueOf, when, scrollingTable
} from "../ui.js";
import { KINDS, linesEditor, totalsOf, totalsTable } from "./lines.js";
import { questionsCard } from "./questions.js";
import { workPanel } from "./record-work.js";

const OPEN = ["sent", "viewed"];
const KIND_LABEL = Object.fromEntries(KINDS);
const EVENTS = {
  created: "Proposition créée", edited: "Modifiée", email_sent: "Envoyée par e-mail", reminder_sent: "Relance envoyée",
  link_issued: "Nouveau lien d'accès", link_opened: "Lien ouvert", viewed: "Consultée par le client",
  downloaded: "PDF téléchargé par le client",
  question_asked: "Question du client", question_answered: "Réponse envoyée au client",
  signature_started: "Signature commencée", partly_signed: "Signée par un signataire (1 signature sur 2)", code_sent: "Code de signature envoyé",
  code_verified: "Code de signature vérifié", code_refused: "Code de signature refusé", accepted: "Acceptée et signée",
  declined: "Refusée par le client", withdrawn: "Retirée", expired: "Expirée", payment_started: "Paiement de l'acompte commencé",
  payment_received: "Acompte reçu", payment_anomaly: "Paiement à régulariser",
  payment_anomaly_settled: "Paiement régularisé",
  email_delivered: "E-mail remis", email_undelivered: "E-mail non remis", address_confirmed: "Adresse e-mail confirmée",
  vehicle_gone: "Retirée : véhicule réservé par un autre client",
  task_created: "Tâche créée", task_completed: "Tâche terminée", document_added: "Document ajouté",
  document_renamed: "Document renommé", document_deleted: "Document supprimé",
  options_changed: "Options modifiées par le client", options_locked: "Options figées", options_unlocked: "Options débloquées",
};
// Who marks a payment anomaly settled (the API refuses the others).
const SETTLERS = ["admin", "manager", "back_office"];
// Why a payment taken is not the acompte, or not the order's balance by card (deposit_anomalies[].reason,
// payment_anomaly events).
const ANOMALY_REASONS = {
  amount_mismatch: "montant différent de l'acompte demandé", currency_mismatch: "paiement dans une autre devise que l'euro",
  proposal_not_accepted: "proposition non signée", no_deposit_asked: "aucun acompte demandé",
  already_paid: "acompte déjà réglé (second paiement)",
  balance_mismatch: "montant différent du solde restant dû", order_closed: "solde payé pour une commande annulée ou close",
};

export async function render({ main, params: [proposalId] }) {
  const [view, { dealer, users, me }] = await Promise.all([get(`/proposals/${proposalId}`), context()]);
  const p = view.proposal;
  const account = await get(`/accounts/${p.customer.account_id}`).catch(() => null);
  const contacts = account ? account.contacts : [];
  const customer = customerName(p.customer);
  const toolbar = h("div", { class: "toolbar", role: "group", "aria-label": "Actions sur la proposition" });
  const pdfButton = h("button", { type: "button", class: "secondary" }, "Aperçu PDF");
  pdfButton.addEventListener("click", () => busy(pdfButton, "Préparation du PDF…", async () => {
    try {
      const pdf = await get(`/proposals/${p.id}/pdf`);
      openUrlOrLink(toolbar, pdf.url, `la proposition ${p.reference} (PDF)`);
    } catch (error) {
      toast(error.message, "error");
    }
  }));
  if (p.status === "draft") {
    add(toolbar, 
      h("button", { type: "button", class: "primary", onclick: () => sendDialog(p, contacts, dealer, false) }, "Envoyer au client"),
      h("button", { type: "button", class: "secondary", onclick: () => editDialog(p, contacts) }, "Modifier"),
      h("button", { type: "button", class: "secondary", onclick: () => linesDialog(p) }, "Modifier les lignes"));
  } else if (OPEN.includes(p.status)) {
    add(toolbar, 
      h("button", { type: "button", class: "primary", onclick: () => remindDialog(p) }, "Relancer par e-mail"),
      p.e_signature_requested ? h("a", { class: "button secondary", href: `#/proposals/${p.id}/signature` }, "Signer en présence du client") : null,
      h("button", { type: "button", class: "secondary", onclick: () => sendDialog(p, contacts, dealer, true) }, "Renvoyer"),
      h("button", { type: "button", class: "secondary", onclick: () => editDialog(p) }, "Modifier"));
  }
  add(toolbar, pdfButton);
  if (p.status === "draft" || OPEN.includes(p.status)) {
    add(toolbar, h("button", { type: "button", class: "secondary danger-text", onclick: () => withdrawDialog(p) }, "Retirer"));
  }

  add(main, 
    h("nav", { class: "crumbs", "aria-label": "Fil d'Ariane" }, h("a", { href: "#/proposals" }, "Propositions"), ` › ${p.reference}`),
    h("section", { class: `proposal-header status-${p.status}`, "aria-labelledby": "proposal-title" },
      h("div", { class: "lead-title-row" },
        h("h1", { id: "proposal-title" }, `Proposition ${p.reference}`),
        badge("proposal", p.status, PROPOSAL_STATUS[p.status]),
        h("span", { class: "code" }, `version ${p.version}`)),
      h("div", { class: "lead-header-grid" },
        facts([
          ["Client", customer],
          ["Destinataire", p.recipient ? `${p.recipient.name} <${p.recipient.email}>` : p.customer.email || "—"],
          ["Total TTC", money(p.totals.ttc_cents)],
          ["Acompte", p.deposit_cents ? `${money(p.deposit_cents)} · ${DEPOSIT_STATUS[p.deposit_status] || p.deposit_status}` : null],
          ["Valable jusqu'au", day(p.valid_until)],
          ["Devis", h("a", { href: `#/quotes/${p.quote_id}` }, p.quote_number)],
          ["Lead", p.lead_id ? h("a", { href: `#/leads/${p.lead_id}` }, "Ouvrir le lead") : null],
          ["Vendeur", `${p.seller.display_name} · ${p.seller.phone}`],
        ]),
        h("ul", { class: "counts", "aria-label": "Suivi de l'envoi" },
          h("li", {}, h("strong", {}, p.send_count), " envoi", p.send_count > 1 ? "s" : ""),
          h("li", {}, h("strong", {}, p.view_count), " vue", p.view_count > 1 ? "s" : ""),
          h("li", {}, h("strong", {}, p.download_count), " téléchargement", p.download_count > 1 ? "s" : ""),
          h("li", {}, h("strong", {}, p.reminder_count), " relance", p.reminder_count > 1 ? "s" : ""))),
      facts([
        ["Envoyée le", p.sent_at ? when(p.sent_at) : "Pas encore envoyée"],
        ["Dernière vue", p.last_viewed_at ? when(p.last_viewed_at) : "Jamais"],
        ["Dernière relance", p.last_reminded_at ? when(p.last_reminded_at) : null],
        ["Signature électronique", p.e_signature_requested ? "demandée" : "non demandée (signature papier)"],
      ], "facts facts-inline")),
    signerBanner(view),
    partlySigned(p),
    anomalyNotice(view, me),
    bounceNotice(p),
    statusNotice(p),
    toolbar,
    h("div", { class: "lead-layout" },
      h("div", { class: "stack" },
        questionsCard(view, users),
        workPanel("proposal", p.id),
        h("section", { class: "card", "aria-labelledby": "lines-title" },
          h("h2", { id: "lines-title" }, "Contenu"),
          linesTable(p.lines),
          optionsLock(p),
          totalsTable(p.totals, "Totaux"),
          p.notes ? h("p", { class: "pre muted" }, p.notes) : null),
        termsCard(p),
        h("section", { class: "card", "aria-labelledby": "customer-title" },
          h("h2", { id: "customer-title" }, "Client"),
          facts([
            ["Nom", customer],
            ["E-mail", p.customer.email || "—"],
            ["Mobile", p.customer.mobile || "—"],
            ["Adresse", p.customer.address ? addressText(p.customer.address) : "—"],
            ["Cotitulaire", p.co_holder ? `${p.co_holder.name} <${p.co_holder.email}>` : null],
          ]))),
      history(view.history, users)));
}

export function customerName(c) {
  const person = [c.civility, c.first_name, c.last_name].filter(Boolean).join(" ");
  return c.kind === "company" && c.company_name ? `${c.company_name} (${person})` : person;
}

function addressText(a) {
  return [a.line1, a.line2, `${a.postal_code} ${a.city}`].filter(Boolean).join(", ");
}

// The signer banner: who signed and when, and the proofs (signed PDF, evidence JSON).
// The portal records the signature on the proposal (`signature`: signer, time, signed PDF)
// and the view names the proofs' routes (`proofs`); older shapes are read as a fallback.
export function signerOf(p) {
  const s = p.signature || p.signer || {};
  return {
    name: s.signer_name || s.full_name || s.name || p.signer_name || null,
    email: s.signer_email || s.email || p.recipient?.email || null,
    at: s.signed_at || s.accepted_at || p.accepted_at || null,
    sha256: s.signed_pdf?.sha256 || p.signed_pdf_sha256 || null,
  };
}

const ROLES = { holder: "titulaire", co_holder: "cotitulaire" };

// Two signers: the first signature of this version, while the other is awaited.
function partlySigned(p) {
  const first = p.first_signature;
  if (!first || first.proposal_version !== p.version || !OPEN.includes(p.status)) return null;
  const other = first.role === "holder" ? "cotitulaire" : "titulaire";
  return h("p", { class: "notice", role: "status" }, h("strong", {}, "1 signature sur 2"),
    ` : ${first.signer_name} (${ROLES[first.role]}) a signé le ${when(first.signed_at)}. La signature du ${other} est attendue.`);
}

function signerBanner(view) {
  const p = view.proposal;
  if (p.status !== "accepted") return null;
  const signer = signerOf(p);
  const base = `/proposals/${p.id}/proofs`;
  const proofs = [
    [view.proofs?.signed_pdf || `${base}/signed.pdf`, `Proposition signée ${p.reference}.pdf`, "Proposition signée (PDF)"],
    [view.proofs?.evidence || `${base}/evidence.json`, `Preuves ${p.reference}.json`, "Fichier de preuves (JSON)"],
  ];
  const problem = h("p", { class: "field-error", role: "alert", hidden: true });
  return h("section", { class: "signer-banner", "aria-labelledby": "signer-title" },
    h("h2", { id: "signer-title" }, "Proposition acceptée et signée"),
    h("p", {},
      signer.name ? ["Signée par ", h("strong", {}, signer.name)] : "Signée",
      signer.email ? ` (${signer.email})` : "",
      signer.at ? [" le ", h("strong", {}, when(signer.at))] : "",
      (p.signature?.co_signatures || []).map((o) => [" et par ", h("strong", {}, o.signer_name),
        ` (${ROLES[o.role]}, ${o.signer_email}) le `, h("strong", {}, when(o.signed_at))])),
    signer.sha256 ? h("p", { class: "muted small hash" }, `Empreinte SHA-256 du PDF signé : ${signer.sha256}`) : null,
    depositLine(p),
    h("p", { class: "proofs" }, proofs.map(([path, filename, label]) => h("a", {
      href: apiUrl(path), class: "button secondary", download: filename,
      onclick: (event) => {
        event.preventDefault();
        problem.hidden = true;
        busy(event.currentTarget, "Téléchargement…", () => download(path, filename))
          .catch((error) => { problem.textContent = error.message; problem.hidden = false; });
      },
    }, label))),
    problem);
}

// The acompte paid by card from the portal (deposit_payment, written by the payment webhook).
const DEPOSIT_STATUS = { not_asked: "aucun", none: "à régler par le client", pending: "paiement en cours", paid: "réglé" };

export function depositLine(p) {
  if (!p.deposit_cents) return null;
  const payment = p.deposit_payment;
  if (payment?.status === "paid") {
    return h("p", { class: "deposit-paid" }, "Acompte réglé le ", h("strong", {}, when(payment.paid_at)),
      ` (${money(payment.amount_cents)})`,
      payment.provider_reference ? h("span", { class: "muted small" }, ` — référence ${payment.provider_reference}`) : null);
  }
  return h("p", { class: "muted" }, `Acompte de ${money(p.deposit_cents)} : ${DEPOSIT_STATUS[p.deposit_status] || "à régler"}.`);
}

// Payments taken that are not the acompte: the seller and the admins were emailed; here they find what to do,
// and an admin, a manager or the back office marks each one settled once refunded or settled.
function anomalyNotice(view, me) {
  const anomalies = (view.deposit_anomalies || []).filter((a) => !a.settled_at);
  if (!anomalies.length) return null;
  const maySettle = SETTLERS.includes(me?.role);
  return h("section", { class: "notice notice-error deposit-anomalies", role: "alert", "aria-labelledby": "anomaly-title" },
    h("h2", { id: "anomaly-title" }, anomalies.length > 1 ? `${anomalies.length} paiements à régulariser` : "Paiement à régulariser"),
    h("ul", {}, anomalies.map((a) => h("li", {},
      `${amountOf(a.amount_cents, a.currency)} reçu le ${when(a.at)} — ${ANOMALY_REASONS[a.reason] || a.reason} · référence `,
      h("span", { class: "code" }, a.provider_reference),
      maySettle ? h("button", { type: "button", class: "secondary small", onclick: () => settleDialog(view.proposal, a) },
        "Marquer comme régularisé") : null))),
    h("p", { class: "muted small" }, "Ce paiement n'est pas enregistré comme acompte : remboursez-le depuis le tableau de bord Stripe " +
      "(recherchez sa référence), ou régularisez-le avec le client" +
      (maySettle ? ", puis marquez-le comme régularisé." : " ; un administrateur le marque ensuite comme régularisé.")));
}

function settleDialog(p, anomaly) {
  dialog({
    title: "Marquer le paiement comme régularisé",
    submitLabel: "Marquer comme régularisé",
    busyLabel: "Enregistrement…",
    build: (form) => add(form,
      h("p", { class: "muted" }, `${amountOf(anomaly.amount_cents, anomaly.currency)} · référence ${anomaly.provider_reference}`),
      field("Ce qui a été fait", textarea("note", "", { maxlength: 500, rows: 3, required: true,
        placeholder: "Remboursé depuis Stripe le …" }))),
    submit: async (form) => {
      await post(`/proposals/${p.id}/payment-anomalies/${anomaly.id}/settle`, { note: valueOf(form, "note") });
      toast("Paiement marqué comme régularisé.");
      reload();
    },
  });
}

function amountOf(cents, currency) {
  return !currency || currency === "eur" ? money(cents) : `${(cents / 100).toFixed(2).replace(".", ",")} ${currency.toUpperCase()}`;
}

// The last email did not reach the customer (SES said so): the address to fix, and how to send again.
const FATE_LABEL = (b) => ({
  complained: "signalé comme indésirable par le client", rejected: "refusé avant l'envoi",
}[b.fate] || (b.permanent ? "non remis : adresse inconnue" : "non remis : refus temporaire"));

function bounceNotice(p) {
  const b = p.email_bounce;
  if (!b) return null;
  const current = p.recipient?.email || p.customer.email;
  const corrected = current && current.toLowerCase() !== b.to.toLowerCase();
  const blocked = !corrected && (b.permanent || b.fate === "complained");
  const confirm = h("button", { type: "button", class: "secondary small" }, "Adresse vérifiée");
  confirm.addEventListener("click", () => busy(confirm, "Enregistrement…", async () => {
    try {
      await post(`/proposals/${p.id}/confirm-address`, {});
      toast("Adresse confirmée : vous pouvez renvoyer la proposition.");
      reload();
    } catch (error) {
      toast(error.message, "error");
    }
  }));
  return h("section", { class: "notice notice-error email-bounce", role: "alert", "aria-labelledby": "bounce-title" },
    h("h2", { id: "bounce-title" }, "Le dernier e-mail n'a pas été remis"),
    h("p", {}, `Envoyé à ${b.to} : ${FATE_LABEL(b)} (${when(b.at)}).`),
    b.diagnostic ? h("p", { class: "muted small" }, `Réponse du serveur du client : ${b.diagnostic}`) : null,
    h("p", {}, corrected
      ? `Adresse corrigée (${current}) : cliquez sur « Renvoyer ».`
      : "Corrigez l'adresse e-mail du client (« Modifier »), puis cliquez sur « Renvoyer »." +
        (blocked ? " Les envois à cette adresse sont bloqués jusque-là ; si elle est juste, confirmez-la." : "")),
    blocked ? confirm : null);
}

function statusNotice(p) {
  const notes = {
    declined: `Le client a refusé cette proposition${p.declined_at ? ` le ${when(p.declined_at)}` : ""}.`,
    expired: `Cette proposition a expiré${p.expired_at ? ` le ${when(p.expired_at)}` : ""} : dupliquez le devis pour en faire une nouvelle.`,
    withdrawn: `Vous avez retiré cette proposition${p.withdrawn_at ? ` le ${when(p.withdrawn_at)}` : ""} : le lien du client ne fonctionne plus.`,
    draft: "Brouillon : vérifiez le contenu, puis « Envoyer au client ». Le client reçoit un lien valable pour consulter et signer.",
  };
  return notes[p.status] ? h("p", { class: "notice" }, notes[p.status]) : null;
}

function linesTable(lines) {
  return scrollingTable("Lignes de la proposition", h("table", { class: "table lines-table" },
    h("thead", {}, h("tr", {},
      h("th", { scope: "col" }, "Désignation"), h("th", { scope: "col", class: "num" }, "Qté"),
      h("th", { scope: "col", class: "num" }, "PU HT"), h("th", { scope: "col", class: "num" }, "TVA"),
      h("th", { scope: "col", class: "num" }, "Total TTC"))),
    h("tbody", {}, lines.map((line) => h("tr", { class: line.optional && !line.chosen ? "optional" : "" },
      h("td", {},
        h("span", { class: "strong" }, line.label),
        h("div", { class: "muted small" }, [KIND_LABEL[line.kind],
          line.optional ? (line.chosen ? "option retenue" : "option proposée") : null,
          line.payment === "direct_debit" ? "prélèvement" : null,
          line.margin_scheme ? "TVA sur marge" : null].filter(Boolean).join(" · "))),
      h("td", { class: "num" }, String(line.quantity)),
      h("td", { class: "num" }, money(line.unit_price_cents)),
      h("td", { class: "num" }, line.margin_scheme ? "marge" : rate(line.vat_rate)),
      h("td", { class: "num" }, money(line.totals.ttc_cents)))))));
}

// The optional products the customer may add or remove on the portal (each change a new version): the seller may
// lock them, until the proposal is answered.
function optionsLock(p) {
  if (!p.lines.some((line) => line.optional)) return null;
  const open = p.status === "draft" || OPEN.includes(p.status);
  const box = h("input", { type: "checkbox", id: "options-lock", name: "options_locked", checked: p.options_locked, disabled: !open });
  box.addEventListener("change", async () => {
    box.disabled = true;
    try {
      await put(`/proposals/${p.id}/options-lock`, { locked: box.checked });
      toast(box.checked ? "Options figées : le client ne peut plus les modifier." : "Options débloquées : le client peut de nouveau les choisir.");
      reload();
    } catch (error) {
      box.checked = !box.checked;
      box.disabled = false;
      toast(error.message, "error");
    }
  });
  return h("div", { class: "check options-lock", "data-field": "options_locked" }, box,
    h("label", { for: "options-lock" }, "Figer les options : le client ne peut plus en ajouter ni en retirer depuis son lien"));
}

// The dealer's terms the proposal took (`terms`, kept whatever the dealer uploads later): those its current
// document appends (`pdf.terms` once rendered), and those an option not chosen would bring.
function termsCard(p) {
  const terms = p.terms || [];
  const rendered = p.pdf && p.pdf.version === p.version;
  const changeable = p.status === "draft" || OPEN.includes(p.status);
  const inDocument = (t) => (rendered
    ? (p.pdf.terms || []).some((d) => d.kind === t.kind && d.version === t.version)
    : p.lines.some((line) => line.kind === t.kind && (!line.optional || line.chosen)));
  const item = (t) => {
    const entry = h("li", {}, h("strong", {}, KIND_LABEL[t.kind] || t.kind), ` : ${t.title}, version ${t.version}`,
      h("span", { class: "muted small" }, inDocument(t) ? " — annexées au PDF"
        : changeable ? " — seulement si le client choisit l'option" : " — non annexées (option non choisie)"),
      " ");
    const button = h("button", { type: "button", class: "secondary small", "aria-label": `Télécharger ${KIND_LABEL[t.kind] || t.kind}, version ${t.version}` }, "Télécharger");
    button.addEventListener("click", () => busy(button, "…", async () => {
      try {
        const link = await get(`/dealer/terms/${t.kind}/versions/${t.version}/download`);
        openUrlOrLink(entry, link.url, t.title);
      } catch (error) {
        toast(error.message, "error");
      }
    }));
    entry.append(button);
    return entry;
  };
  return h("section", { class: "card", "aria-labelledby": "proposal-terms-title" },
    h("h2", { id: "proposal-terms-title" }, "Conditions générales"),
    terms.length
      ? h("ul", { class: "plain-list" }, terms.map(item))
      : h("p", { class: "muted" }, "Aucune : la concession n'avait pas de conditions générales pour ces produits quand la proposition a été établie."));
}

function history(events, users) {
  const sorted = [...events].sort((a, b) => (a.at < b.at ? 1 : -1));
  return h("aside", { class: "timeline", "aria-labelledby": "history-title" },
    h("h2", { id: "history-title" }, "Historique"),
    h("p", { class: "muted small", id: "views-note" },
      "1 vue par jour et par lien au plus. « Lien ouvert » : la page a été demandée (ce peut être l'antivirus "
      + "d'une messagerie) ; « Consultée » : le navigateur du client l'a affichée."),
    h("ol", {}, sorted.map((event) => h("li", { class: `event event-${event.kind}` },
      h("p", {}, EVENTS[event.kind] || event.kind, detailText(event)),
      h("p", { class: "muted small" }, h("time", { datetime: event.at }, when(event.at)), ` · ${userName(users, event.by)}`)))));
}

function detailText(event) {
  const d = event.details || {};
  const parts = [];
  if (d.to) parts.push(`à ${d.to}`);
  if (d.version && ["edited", "email_sent", "reminder_sent", "created", "options_changed"].includes(event.kind)) parts.push(`version ${d.version}`);
  if (event.kind === "options_changed") {
    (d.added || []).forEach((label) => parts.push(`ajoutée : ${label}`));
    (d.removed || []).forEach((label) => parts.push(`retirée : ${label}`));
    parts.push(`total TTC ${money(d.old_ttc_cents)} → ${money(d.new_ttc_cents)}`);
  }
  if (d.pdf_attached) parts.push("PDF joint");
  if (d.fields) parts.push(`champs : ${d.fields.join(", ")}`);
  if (d.from && event.kind === "withdrawn") parts.push(`depuis « ${PROPOSAL_STATUS[d.from] || d.from} »`);
  if (d.amount_cents && event.kind.startsWith("payment_")) parts.push(amountOf(d.amount_cents, d.currency));
  if (d.reason && event.kind === "payment_anomaly") parts.push(ANOMALY_REASONS[d.reason] || d.reason);
  if (d.provider_reference) parts.push(`référence ${d.provider_reference}`);
  if (d.told && event.kind === "payment_anomaly") parts.push(d.told);
  if (d.note && event.kind === "payment_anomaly_settled") parts.push(`« ${d.note} »`);
  if (d.label && event.kind.startsWith("email_")) parts.push(d.label);
  if (d.diagnostic && event.kind === "email_undelivered") parts.push(d.diagnostic);
  if (d.question && event.kind === "question_asked") parts.push(`« ${d.question} »`);
  if (d.answer && event.kind === "question_answered") parts.push(`« ${d.answer} »`);
  if (event.kind === "vehicle_gone" && d.vehicle) parts.push(`${d.vehicle}, proposition ${d.accepted_reference} acceptée`);
  return parts.length ? h("span", { class: "muted" }, ` — ${parts.join(" · ")}`) : null;
}

// --- actions -------------------------------------------------------------------------------------

function sendDialog(p, contacts, dealer, again) {
  const reachable = contacts.filter((c) => c.email);
  dialog({
    title: again ? "Renvoyer la proposition" : "Envoyer la proposition",
    submitLabel: "Envoyer",
    busyLabel: "Envoi…",
    wide: true,
    build: (form) => {
      add(form, 
        h("p", { class: "muted" }, "Le client reçoit un e-mail (modèle « Envoi ») avec un lien personnel vers la proposition, " +
          `valable ${dealer.settings.link_validity_hours} h.`),
        field("Destinataire", select("recipient_contact_id",
          reachable.length ? reachable.map((c) => [c.id, `${c.first_name} ${c.last_name} <${c.email}>`])
            : [[p.customer.contact_id, `${customerName(p.customer)} <${p.customer.email || "sans e-mail"}>`]],
          p.recipient?.contact_id || p.customer.contact_id), { hint: "Le contact du devis, ou un autre contact du même client." }),
        field("Message personnel (facultatif)", textarea("note", "", { maxlength: 2000, rows: 3 })),
        checkbox("attach_pdf", "Joindre le PDF à l'e-mail", false),
        checkbox("request_signature", "Demander la signature électronique", dealer.settings.e_signature, { disabled: !dealer.settings.e_signature }));
      if (!dealer.settings.e_signature) {
        add(form, h("p", { class: "hint" }, "La signature électronique est désactivée dans les paramètres de la concession : le client signera sur papier."));
      }
    },
    submit: async (form) => {
      await post(`/proposals/${p.id}/send`, {
        recipient_contact_id: empty(valueOf(form, "recipient_contact_id")),
        note: empty(valueOf(form, "note")),
        attach_pdf: checked(form, "attach_pdf"),
        request_signature: dealer.settings.e_signature ? checked(form, "request_signature") : null,
      });
      toast("Proposition envoyée au client.");
      reload();
    },
  });
}

function remindDialog(p) {
  dialog({
    title: "Relancer le client",
    submitLabel: "Envoyer la relance",
    busyLabel: "Envoi…",
    build: (form) => add(form, 
      h("p", { class: "muted" }, `Un e-mail de relance (modèle « Relance ») part à ${p.recipient?.email || "l'adresse enregistrée"} avec un nouveau lien.`),
      field("Message personnel (facultatif)", textarea("note", "", { maxlength: 2000, rows: 3 })),
      checkbox("attach_pdf", "Joindre le PDF à l'e-mail", false)),
    submit: async (form) => {
      await post(`/proposals/${p.id}/remind`, { note: empty(valueOf(form, "note")), attach_pdf: checked(form, "attach_pdf") });
      toast("Relance envoyée.");
      reload();
    },
  });
}

function withdrawDialog(p) {
  confirmDialog({
    title: "Retirer la proposition",
    text: "Le client ne pourra plus ouvrir ni signer cette proposition. Cette action est définitive.",
    confirmLabel: "Retirer la proposition",
    busyLabel: "Retrait…",
    danger: true,
    action: async () => {
      await post(`/proposals/${p.id}/withdraw`);
      toast("Proposition retirée.");
      reload();
    },
  });
}

// After sending, only the customer's email and mobile and the seller block may change:
// the dialog offers just those (the API refuses anything else with a message saying why).
function editDialog(p, contacts = []) {
  const draft = p.status === "draft";
  const others = contacts.filter((o) => o.email && o.id !== p.customer.contact_id);
  const c = p.customer;
  dialog({
    title: "Modifier la proposition",
    wide: true,
    build: (form) => {
      if (!draft) {
        add(form, h("p", { class: "notice" }, "Proposition envoyée : seuls l'e-mail et le mobile du client et le bloc vendeur " +
          "peuvent encore changer. Pour changer le nom, l'adresse ou le véhicule, créez une nouvelle proposition."));
      }
      const identity = draft ? h("fieldset", {}, h("legend", {}, "Client"), h("div", { class: "grid-3" },
        field("Civilité", select("civility", [["", "—"], ["Mme", "Mme"], ["M.", "M."]], c.civility || "")),
        field("Prénom", input("first_name", c.first_name, { maxlength: 80 })),
        field("Nom", input("last_name", c.last_name, { maxlength: 80 })),
        c.kind === "company" ? field("Raison sociale", input("company_name", c.company_name, { maxlength: 120 })) : null)) : null;
      add(form, identity,
        h("fieldset", {}, h("legend", {}, "Coordonnées du client"), h("div", { class: "grid-2" },
          field("E-mail", input("email", c.email, { type: "email" })),
          field("Mobile", input("mobile", c.mobile, { type: "tel" }), { hint: "06 12 34 56 78 ou +33612345678" }))),
        draft ? h("fieldset", { "data-field": "address" }, h("legend", {}, "Adresse"), h("div", { class: "grid-2" },
          field("Adresse", input("address.line1", c.address?.line1, { maxlength: 120 })),
          field("Complément", input("address.line2", c.address?.line2, { maxlength: 120 })),
          field("Code postal", input("address.postal_code", c.address?.postal_code, { maxlength: 12 })),
          field("Ville", input("address.city", c.address?.city, { maxlength: 80 })))) : null,
        h("fieldset", { "data-field": "seller" }, h("legend", {}, "Bloc vendeur"), h("div", { class: "grid-3" },
          field("Nom affiché", input("seller.display_name", p.seller.display_name, { maxlength: 120 })),
          field("Téléphone", input("seller.phone", p.seller.phone, { type: "tel" })),
          field("E-mail", input("seller.email", p.seller.email, { type: "email" })))),
        draft && others.length ? field("Cotitulaire (second signataire)", select("co_holder_contact_id",
          [["", "Aucun : un seul signataire"], ...others.map((o) => [o.id, `${o.first_name} ${o.last_name} <${o.email}>`])],
          p.co_holder?.contact_id || ""), { hint: "Il signe avec son propre code, même s'il partage l'adresse e-mail du titulaire." }) : null,
        draft ? h("div", { class: "grid-2" },
          field("Valable jusqu'au", input("valid_until", p.valid_until, { type: "date" })),
          field("Notes", textarea("notes", p.notes, { maxlength: 4000, rows: 2 }))) : null);
    },
    submit: async (form) => {
      const change = {};
      const setIf = (name, value, before) => { if ((value ?? null) !== (before ?? null)) change[name] = value; };
      setIf("email", empty(valueOf(form, "email")), c.email);
      setIf("mobile", phoneE164(valueOf(form, "mobile")), c.mobile);
      const seller = {
        display_name: valueOf(form, "seller.display_name").trim(), phone: phoneE164(valueOf(form, "seller.phone")) || "",
        email: valueOf(form, "seller.email").trim(),
      };
      if (seller.display_name !== p.seller.display_name || seller.phone !== p.seller.phone || seller.email !== p.seller.email) {
        change.seller = seller;
      }
      if (draft) {
        setIf("civility", empty(valueOf(form, "civility")), c.civility);
        setIf("first_name", valueOf(form, "first_name").trim(), c.first_name);
        setIf("last_name", valueOf(form, "last_name").trim(), c.last_name);
        if (c.kind === "company") setIf("company_name", empty(valueOf(form, "company_name")), c.company_name);
        const address = {
          line1: valueOf(form, "address.line1").trim(), line2: empty(valueOf(form, "address.line2")),
          postal_code: valueOf(form, "address.postal_code").trim(), city: valueOf(form, "address.city").trim(),
        };
        const before = c.address || {};
        if (["line1", "line2", "postal_code", "city"].some((k) => (address[k] || null) !== (before[k] || null))) change.address = address;
        setIf("valid_until", valueOf(form, "valid_until"), p.valid_until);
        setIf("notes", empty(valueOf(form, "notes")), p.notes);
        if (others.length) setIf("co_holder_contact_id", empty(valueOf(form, "co_holder_contact_id")), p.co_holder?.contact_id);
      }
      if (!Object.keys(change).length) {
        toast("Rien n'a changé.");
        return true;
      }
      await patch(`/proposals/${p.id}`, change);
      toast("Proposition modifiée : une nouvelle version du document est prête.");
      reload();
    },
  });
}

function linesDialog(p) {
  let editor;
  const totalsBox = h("div", { class: "totals-box", "aria-live": "polite" });
  dialog({
    title: "Modifier les lignes du brouillon",
    wide: true,
    build: (form) => {
      editor = linesEditor(p.lines, { onChange: () => totalsBox.replaceChildren(totalsTable(totalsOf(editor.preview()), "Totaux (calcul provisoire)")) });
      totalsBox.append(totalsTable(p.totals, "Totaux"));
      add(form, editor.element, totalsBox);
    },
    submit: async () => {
      await patch(`/proposals/${p.id}`, { lines: editor.read() });
      toast("Lignes modifiées : une nouvelle version du document est prête.");
      reload();
    },
  });
}

