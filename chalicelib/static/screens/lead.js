// The lead page: a header in the status colour, the actions of seed 004, the tabs
// Détails / Suivi / Contacts and the timeline.
import { del, get, patch, post, put } from "../api.js";
import { context, userName } from "../context.js";
import { reload } from "../nav.js";
import {
  add, LEAD_STATUS, PROPOSAL_STATUS, badge, busy, day, checkbox, checked, confirmDialog, countdown, dialog, duration, empty, emptyState,
  eurosInput, facts, field, FormProblem, fromLocalInput, h, input, localInput, money, openUrlOrLink, parseEuros,
  phoneE164, select, tabs, textarea, toast, valueOf, when, scrollingTable
} from "../ui.js";
import { offerDialog } from "./offers.js";

const DEPOSIT_LABELS = { none: "à payer", pending: "paiement en cours", paid: "payé" };
const OPENS = { offer: (id) => `#/quotes/${id}`, proposal: (id) => `#/proposals/${id}`, order: (id) => `#/orders/${id}` };
const DOCUMENT_TYPES = {
  pdf: "application/pdf", jpg: "image/jpeg", jpeg: "image/jpeg", png: "image/png",
  docx: "application/vnd.openxmlformats-officedocument.wordprocessingml.document", txt: "text/plain",
};

export async function render({ main, params: [leadId], query }) {
  const [page, { dealer, users }] = await Promise.all([get(`/leads/${leadId}`), context()]);
  const { header } = page;
  const open = header.status === "open";
  const names = (id) => userName(users, id);
  const tab = ["details", "suivi", "contacts"].includes(query.tab) ? query.tab : "details";

  add(main, 
    h("nav", { class: "crumbs", "aria-label": "Fil d'Ariane" }, h("a", { href: "#/leads" }, "Leads"), ` › ${header.code}`),
    leadHeader(header),
    page.loss_prompt ? lossPrompt(header, page.loss_prompt) : null,
    actions(page, open, { dealer, users }),
    open ? null : h("p", { class: "notice" },
      `Statut « ${LEAD_STATUS[header.status]} » : reprises, essais, offres, attributions et échéances ` +
      "sont fermés. Rouvrez-le avec « Statut » pour continuer ; remarques, documents, e-mails et tâches restent possibles."),
    h("div", { class: "lead-layout" },
      tabs("Sections du lead", [
        ["details", "Détails", detailsPanel(page, names, users)],
        ["suivi", "Suivi", followUpPanel(page, open)],
        ["contacts", "Contacts", contactsPanel(page)],
      ], tab, (key) => history.replaceState(null, "", `#/leads/${leadId}?tab=${key}`)),
      timeline(page, names)));
}

// --- header ---------------------------------------------------------------------------------

function leadHeader(header) {
  const left = header.status === "open" ? countdown(header.deadline_at) : null;
  return h("section", { class: `lead-header status-${header.status}`, "aria-labelledby": "lead-title" },
    h("div", { class: "lead-title-row" },
      h("h1", { id: "lead-title" }, header.contact.name),
      badge("lead", header.status, header.status_label || LEAD_STATUS[header.status]),
      h("span", { class: "code" }, header.code)),
    header.lost_reason ? h("p", {}, `Motif : ${header.lost_reason}`) : null,
    h("div", { class: "lead-header-grid" },
      facts([
        ["Contact", [header.contact.email, header.contact.mobile].filter(Boolean).join(" · ") || "—"],
        ["Vendeur", header.owner.name],
        ["Site", header.branch?.name || "—"],
        ["Type", header.type_label],
        ["Source", header.source],
        ["Temps restant", left ? h("span", { class: left.overdue ? "late" : "" }, left.text) : "—"],
        ["Créé le", when(header.created_at)],
        ["Dernière activité", when(header.last_activity_at)],
        ["Ouvert depuis", duration(header.elapsed_seconds)],
      ]),
      h("ul", { class: "counts", "aria-label": "Éléments liés" },
        h("li", {}, h("strong", {}, header.trade_ins), " reprise", header.trade_ins > 1 ? "s" : ""),
        h("li", {}, h("strong", {}, header.test_drives), " essai", header.test_drives > 1 ? "s" : ""),
        h("li", {}, h("strong", {}, header.offers), " offre", header.offers > 1 ? "s" : ""))));
}

// --- actions ----------------------------------------------------------------------------------

function actions(page, open, ctx) {
  const id = page.header.id;
  const button = (label, handler, needsOpen = false) => h("button", {
    type: "button", class: "secondary", disabled: needsOpen && !open, onclick: handler,
  }, label);
  return h("div", { class: "toolbar", role: "group", "aria-label": "Actions sur le lead" },
    button("Reprise", () => tradeInDialog(id), true),
    button("Offre", () => offerDialog(page), true),
    button("Essai", () => testDriveDialog(id), true),
    button("Remarque", () => remarkDialog(id)),
    button("Document", () => documentDialog(id)),
    button("E-mail", () => communicationDialog(page)),
    button("Tâche", () => taskDialog(id, ctx.users)),
    button("Attribuer", () => assignDialog(page.header, ctx), true),
    button("Statut", () => statusDialog(page.header)));
}

// A proposal of the lead was declined or expired: the seller says whether the lead is lost.
function lossPrompt(header, prompt) {
  const what = prompt.outcome === "declined" ? "a été refusée par le client" : "a expiré";
  return h("section", { class: "notice loss-prompt", "aria-labelledby": "loss-prompt-title" },
    h("h2", { id: "loss-prompt-title" }, "Ce lead est-il perdu ?"),
    h("p", {}, `La proposition ${prompt.reference} ${what} (${when(prompt.at)}).`),
    h("div", { class: "toolbar" },
      h("button", { type: "button", class: "secondary danger-text", onclick: () => lostDialog(header) }, "Marquer perdu"),
      h("button", { type: "button", class: "secondary", onclick: (event) => busy(event.currentTarget, "…", async () => {
        await post(`/leads/${header.id}/keep-open`);
        done("Le lead reste ouvert.");
      }) }, "Garder ouvert")));
}

function lostDialog(header) {
  dialog({
    title: "Marquer le lead perdu",
    build: (form) => add(form, field("Motif", textarea("reason", "", { maxlength: 500, rows: 3, required: true }))),
    submit: async (form) => {
      await post(`/leads/${header.id}/status`, { status: "lost", reason: valueOf(form, "reason") });
      done(`Statut du lead : ${LEAD_STATUS.lost}.`);
    },
  });
}

function done(message) {
  toast(message);
  reload();
}

function tradeInDialog(leadId) {
  dialog({
    title: "Reprise",
    build: (form) => add(form, h("div", { class: "grid-2" },
      field("Véhicule", input("vehicle", "", { maxlength: 120, placeholder: "Renault Clio IV 1.5 dCi" })),
      field("Immatriculation", input("registration", "", { maxlength: 15, placeholder: "AB-123-CD" })),
      field("Kilométrage (km)", input("mileage_km", "", { inputmode: "numeric" })),
      field("Valeur estimée (€)", input("estimated_value_cents", "", { inputmode: "decimal" })))),
    submit: async (form) => {
      const value = parseEuros(valueOf(form, "estimated_value_cents"));
      const mileage = valueOf(form, "mileage_km").replace(/\s/g, "");
      const problems = {};
      if (value === null) problems.estimated_value_cents = "Montant en euros attendu, par exemple 8 500,00.";
      if (!/^\d+$/.test(mileage)) problems.mileage_km = "Nombre de kilomètres attendu.";
      if (Object.keys(problems).length) throw new FormProblem(problems);
      await post(`/leads/${leadId}/trade-ins`, {
        vehicle: valueOf(form, "vehicle").trim(), registration: valueOf(form, "registration").trim(),
        mileage_km: Number(mileage), estimated_value_cents: value,
      });
      done("Reprise ajoutée.");
    },
  });
}

function testDriveDialog(leadId) {
  dialog({
    title: "Essai routier",
    build: (form) => add(form, h("div", { class: "grid-2" },
      field("Véhicule", input("vehicle", "", { maxlength: 120 })),
      field("Début", input("starts_at", localInput(new Date().toISOString()), { type: "datetime-local" })),
      field("N° de permis", input("licence_number", "", { maxlength: 20 }))),
      checkbox("licence_checked", "J'ai vérifié le permis de conduire du client", false)),
    submit: async (form) => {
      await post(`/leads/${leadId}/test-drives`, {
        vehicle: valueOf(form, "vehicle").trim(), starts_at: fromLocalInput(valueOf(form, "starts_at")),
        licence_number: valueOf(form, "licence_number").replace(/\s/g, ""), licence_checked: checked(form, "licence_checked"),
      });
      done("Essai enregistré.");
    },
  });
}

function remarkDialog(leadId) {
  dialog({
    title: "Remarque",
    build: (form) => add(form, field("Texte", textarea("text", "", { maxlength: 2000 }))),
    submit: async (form) => {
      await post(`/leads/${leadId}/remarks`, { text: valueOf(form, "text").trim() });
      done("Remarque ajoutée.");
    },
  });
}

function documentDialog(leadId) {
  dialog({
    title: "Document",
    submitLabel: "Envoyer",
    busyLabel: "Envoi du fichier…",
    build: (form) => add(form, 
      field("Titre", input("title", "", { maxlength: 120, placeholder: "Pièce d'identité" })),
      h("div", { "data-field": "content_type" }, h("div", { "data-field": "size_bytes" },
        h("div", { "data-field": "filename" },
          field("Fichier", h("input", { type: "file", name: "file", accept: Object.keys(DOCUMENT_TYPES).map((e) => `.${e}`).join(",") }),
            { hint: "PDF, JPEG, PNG, DOCX ou TXT, 10 Mo au plus." }))))),
    submit: async (form) => {
      const file = form.elements.namedItem("file").files[0];
      if (!file) throw new FormProblem({ filename: "Choisissez un fichier." });
      const extension = file.name.split(".").pop().toLowerCase();
      const upload = await post(`/leads/${leadId}/documents`, {
        title: valueOf(form, "title").trim(), filename: file.name,
        content_type: DOCUMENT_TYPES[extension] || file.type || "application/octet-stream", size_bytes: file.size,
      });
      let stored;
      try {
        stored = await fetch(upload.url, { method: upload.method || "PUT", headers: upload.headers, body: file });
      } catch {
        stored = null;
      }
      if (!stored || !stored.ok) {
        reload();
        throw new FormProblem({}, "Le document est créé mais le fichier n'a pas pu être envoyé : supprimez-le et réessayez.");
      }
      done("Document ajouté.");
    },
  });
}

async function communicationDialog(page) {
  const reachable = page.contacts.filter((contact) => contact.email);
  const attachments = [["", "Aucune"],
    ...page.details.documents.map((d) => [`document:${d.id}`, `Document : ${d.title}`]),
    ...page.details.offers.map((o) => [`quote:${o.quote_id}`, `Devis (PDF) : ${o.label}`])];
  dialog({
    title: "E-mail au client",
    submitLabel: "Envoyer",
    busyLabel: "Envoi…",
    wide: true,
    build: (form) => {
      if (!reachable.length) {
        add(form, h("p", { class: "notice" }, "Aucun contact de ce lead n'a d'adresse e-mail : ajoutez-en une dans l'onglet Contacts."));
      }
      add(form, 
        field("Destinataire", select("contact_id", reachable.map((c) => [c.id, `${c.name} <${c.email}>`]), page.header.contact.id)),
        field("Objet", input("subject", "", { maxlength: 200 })),
        field("Message", textarea("text", "", { maxlength: 2000, rows: 6 })),
        h("div", { "data-field": "attachment_s3_key" }, h("div", { "data-field": "attachment_filename" },
          field("Pièce jointe", select("attachment", attachments, "")))));
    },
    submit: async (form) => {
      const body = {
        contact_id: empty(valueOf(form, "contact_id")), subject: valueOf(form, "subject").trim(), text: valueOf(form, "text").trim(),
      };
      const [kind, id] = valueOf(form, "attachment").split(":");
      if (kind === "document") {
        const document = page.details.documents.find((d) => d.id === id);
        Object.assign(body, { attachment_s3_key: document.s3_key, attachment_filename: document.filename });
      } else if (kind === "quote") {
        const [pdf, quote] = await Promise.all([get(`/quotes/${id}/pdf`), get(`/quotes/${id}`)]);
        Object.assign(body, { attachment_s3_key: pdf.s3_key, attachment_filename: `Devis ${quote.number}.pdf` });
      }
      await post(`/leads/${page.header.id}/communications`, body);
      done("E-mail envoyé.");
    },
  });
}

function taskDialog(leadId, users) {
  const tomorrow = new Date(Date.now() + 86_400_000);
  tomorrow.setHours(10, 0, 0, 0);
  dialog({
    title: "Tâche",
    build: (form) => add(form, h("div", { class: "grid-2" },
      field("Titre", input("title", "", { maxlength: 120, placeholder: "Rappeler le client" })),
      field("Échéance", input("due_at", localInput(tomorrow.toISOString()), { type: "datetime-local" })),
      field("Pour", select("assignee_id", [["", "Moi"], ...users.filter((u) => u.active).map((u) => [u.id, u.name])], "")))),
    submit: async (form) => {
      await post(`/leads/${leadId}/tasks`, {
        title: valueOf(form, "title").trim(), due_at: fromLocalInput(valueOf(form, "due_at")),
        assignee_id: empty(valueOf(form, "assignee_id")),
      });
      done("Tâche planifiée.");
    },
  });
}

function assignDialog(header, { dealer, users }) {
  dialog({
    title: "Attribuer le lead",
    build: (form) => add(form, h("div", { class: "grid-2" },
      field("Vendeur", select("owner_id", users.filter((u) => u.active).map((u) => [u.id, u.name]), header.owner.id)),
      field("Site", select("branch_id", [["", "Inchangé"], ...dealer.branches.map((b) => [b.id, b.name])], header.branch?.id || "")))),
    submit: async (form) => {
      const owner = valueOf(form, "owner_id");
      const branch = valueOf(form, "branch_id");
      const body = {};
      if (owner && owner !== header.owner.id) body.owner_id = owner;
      if (branch && branch !== header.branch?.id) body.branch_id = branch;
      if (!Object.keys(body).length) throw new FormProblem({}, "Rien n'a changé : choisissez un autre vendeur ou un autre site.");
      await post(`/leads/${header.id}/assign`, body);
      done("Lead attribué.");
    },
  });
}

function statusDialog(header) {
  dialog({
    title: "Statut du lead",
    build: (form) => {
      const choices = h("fieldset", { class: "radios", "data-field": "status" }, h("legend", {}, "Nouveau statut"),
        Object.entries(LEAD_STATUS).map(([value, label]) => h("div", { class: "check" },
          h("input", { type: "radio", name: "status", id: `status-${value}`, value, checked: value === header.status }),
          h("label", { for: `status-${value}` }, label))));
      add(form, choices, field("Motif (si perdue)", textarea("reason", header.lost_reason || "", { maxlength: 500, rows: 3 })));
    },
    submit: async (form) => {
      const status = form.querySelector('input[name="status"]:checked')?.value;
      const reason = empty(valueOf(form, "reason"));
      await post(`/leads/${header.id}/status`, { status, ...(status === "lost" && reason ? { reason } : {}) });
      done(`Statut du lead : ${LEAD_STATUS[status]}.`);
    },
  });
}

// --- Détails ------------------------------------------------------------------------------------

function section(title, items, emptyText, render) {
  return h("section", { class: "part" },
    h("h2", {}, title, h("span", { class: "count" }, items.length)),
    items.length ? h("ul", { class: "items" }, items.map((item) => h("li", {}, render(item)))) : h("p", { class: "muted" }, emptyText));
}

function detailsPanel(page, names, users) {
  const { details } = page;
  const leadId = page.header.id;
  return h("div", { class: "panel" },
    section("Propositions", details.proposals, "Aucune proposition : créez-la depuis un devis du lead.", (p) => [
      h("a", { href: `#/proposals/${p.id}`, class: "strong" }, p.reference), " ",
      badge("proposal", p.status, PROPOSAL_STATUS[p.status] || p.status_label),
      h("span", { class: "muted small" }, ` · ${money(p.total_ttc_cents)}`,
        p.accepted_at ? ` · signée ${when(p.accepted_at)}` : p.sent_at ? ` · envoyée ${when(p.sent_at)}` : "",
        DEPOSIT_LABELS[p.deposit_status] ? ` · acompte ${DEPOSIT_LABELS[p.deposit_status]}` : "")]),
    section("Commandes", details.orders, "Aucune commande.", (order) => [
      h("a", { href: `#/orders/${order.id}`, class: "strong" }, order.vehicle),
      h("span", { class: "muted small" }, ` · ${order.status_label} · remise le ${day(order.handover_on)}`)]),
    section("Offres", details.offers, "Aucune offre : « Offre » crée un devis pour ce lead.", (offer) => [
      h("a", { href: `#/quotes/${offer.quote_id}`, class: "strong" }, offer.label),
      h("span", { class: "muted small" }, ` · ${when(offer.created_at)} · ${names(offer.created_by)}`)]),
    section("Reprises", details.trade_ins, "Aucune reprise.", (t) => [
      h("span", { class: "strong" }, t.vehicle), ` · ${t.registration} · ${t.mileage_km.toLocaleString("fr-FR")} km · `,
      h("span", {}, `estimée ${money(t.estimated_value_cents)}`)]),
    section("Essais", details.test_drives, "Aucun essai.", (t) => [
      h("span", { class: "strong" }, t.vehicle), ` · ${when(t.starts_at)} · permis ${t.licence_number} vérifié`]),
    section("Tâches", details.tasks, "Aucune tâche.", (task) => [
      h("span", { class: ["strong", task.status === "done" && "done"] }, task.title),
      h("span", { class: "muted small" }, ` · pour ${task.assignee.name} · échéance ${when(task.due_at)}`),
      task.status === "open"
        ? h("button", { type: "button", class: "secondary small", onclick: (event) => busy(event.currentTarget, "…", async () => {
          await post(`/leads/${leadId}/tasks/${task.id}/complete`);
          done("Tâche terminée.");
        }) }, "Terminer")
        : h("span", { class: "muted small" }, ` · terminée ${when(task.completed_at)}`)]),
    section("Remarques", details.comments, "Aucune remarque.", (remark) => [
      h("p", { class: "pre" }, remark.text), h("p", { class: "muted small" }, `${names(remark.created_by)} · ${when(remark.created_at)}`)]),
    section("Documents", details.documents, "Aucun document : « Document » en ajoute un (pièce d'identité, justificatif…).", (document) => [
      h("span", { class: "strong" }, document.title),
      h("span", { class: "muted small" }, ` · ${document.filename} · ${Math.max(1, Math.round(document.size_bytes / 1024))} Ko`),
      h("span", { class: "row-actions" },
        h("button", { type: "button", class: "link-button", onclick: (event) => busy(event.currentTarget, "…", async () => {
          const { url } = await get(`/leads/${leadId}/documents/${document.id}/download`);
          openUrlOrLink(event.target.closest("li"), url, document.filename);
        }) }, "Télécharger"),
        h("button", { type: "button", class: "link-button", onclick: () => renameDialog(leadId, document) }, "Renommer"),
        h("button", { type: "button", class: "link-button danger-text", onclick: () => confirmDialog({
          title: "Supprimer le document", text: `Supprimer « ${document.title} » ?`, confirmLabel: "Supprimer",
          busyLabel: "Suppression…", danger: true,
          action: async () => { await del(`/leads/${leadId}/documents/${document.id}`); done("Document supprimé."); },
        }) }, "Supprimer"))]),
    section("E-mails", details.communications, "Aucun e-mail envoyé.", (message) => h("details", {},
      h("summary", {}, h("span", { class: "strong" }, message.subject), ` · à ${message.to} · ${when(message.created_at)}`),
      h("p", { class: "pre" }, message.text),
      message.attachment_filename ? h("p", { class: "muted small" }, `Pièce jointe : ${message.attachment_filename}`) : null)));
}

function renameDialog(leadId, document) {
  dialog({
    title: "Renommer le document",
    build: (form) => add(form, field("Titre", input("title", document.title, { maxlength: 120 }))),
    submit: async (form) => {
      await patch(`/leads/${leadId}/documents/${document.id}`, { title: valueOf(form, "title").trim() });
      done("Document renommé.");
    },
  });
}

// --- Suivi ---------------------------------------------------------------------------------------

const DEADLINE_STATUS = { pending: "En attente", met: "Contact fait", cancelled: "Annulée" };

function followUpPanel(page, open) {
  const leadId = page.header.id;
  const deadlines = page.follow_up.deadlines;
  const pending = deadlines.find((d) => d.status === "pending");
  const current = pending
    ? h("div", { class: "card" },
      h("h2", {}, "Échéance de contact"),
      facts([
        ["À contacter avant", when(pending.due_at)],
        ["Temps restant", h("span", { class: countdown(pending.due_at).overdue ? "late" : "" }, countdown(pending.due_at).text)],
        ["Tentatives", String(pending.contact_attempts)],
        ["Dernière tentative", pending.last_attempt_at ? when(pending.last_attempt_at) : null],
        ["Note", pending.note],
      ]),
      h("div", { class: "actions start" },
        h("button", { type: "button", class: "primary", disabled: !open, onclick: () => contactDialog(leadId, pending) }, "Noter un contact"),
        h("button", { type: "button", class: "secondary", disabled: !open, onclick: () => moveDialog(leadId, pending) }, "Déplacer l'échéance")))
    : h("p", { class: "notice" }, open ? "Aucune échéance en attente." : "Le lead est fermé : aucune échéance en attente.");
  return h("div", { class: "panel" }, current,
    h("h2", {}, "Historique des échéances"),
    deadlines.length
      ? scrollingTable("Historique des échéances", h("table", { class: "table" },
        h("thead", {}, h("tr", {}, ["Échéance", "Statut", "Tentatives", "Contact fait le", "Note"].map((t) => h("th", { scope: "col" }, t)))),
        h("tbody", {}, deadlines.map((d) => h("tr", {},
          h("td", {}, when(d.due_at)), h("td", {}, DEADLINE_STATUS[d.status]), h("td", {}, String(d.contact_attempts)),
          h("td", {}, d.met_at ? when(d.met_at) : "—"), h("td", {}, d.note || "—"))))))
      : h("p", { class: "muted" }, "Aucune échéance."));
}

function contactDialog(leadId, deadline) {
  dialog({
    title: "Noter un contact",
    build: (form) => add(form, 
      h("fieldset", { class: "radios", "data-field": "contact_made" }, h("legend", {}, "Le client a-t-il été joint ?"),
        h("div", { class: "check" }, h("input", { type: "radio", name: "contact_made", id: "made-yes", value: "yes", checked: true }),
          h("label", { for: "made-yes" }, "Oui, contact établi")),
        h("div", { class: "check" }, h("input", { type: "radio", name: "contact_made", id: "made-no", value: "no" }),
          h("label", { for: "made-no" }, "Non, tentative sans réponse"))),
      field("Note", textarea("note", "", { maxlength: 500, rows: 3 }))),
    submit: async (form) => {
      const made = form.querySelector('input[name="contact_made"]:checked').value === "yes";
      await post(`/leads/${leadId}/deadlines/${deadline.id}/contact`, { contact_made: made, note: empty(valueOf(form, "note")) });
      done(made ? "Contact enregistré." : "Tentative enregistrée.");
    },
  });
}

function moveDialog(leadId, deadline) {
  dialog({
    title: "Déplacer l'échéance",
    build: (form) => add(form, field("Nouvelle échéance", input("due_at", localInput(deadline.due_at), { type: "datetime-local" }))),
    submit: async (form) => {
      await patch(`/leads/${leadId}/deadlines/${deadline.id}`, { due_at: fromLocalInput(valueOf(form, "due_at")) });
      done("Échéance déplacée.");
    },
  });
}

// --- Contacts ------------------------------------------------------------------------------------

function contactsPanel(page) {
  const leadId = page.header.id;
  return h("div", { class: "panel" },
    h("div", { class: "actions start" },
      h("button", { type: "button", class: "secondary", onclick: () => contactFormDialog(leadId, null) }, "Ajouter un contact")),
    h("ul", { class: "contact-cards" }, page.contacts.map((contact, index) => h("li", { class: "card" },
      h("h2", {}, contact.name, index === 0 ? h("span", { class: "tag" }, "principal") : null),
      facts([
        ["E-mail", contact.email || "—"],
        ["Mobile", contact.mobile || "—"],
        ["Adresse", contact.address ? `${contact.address.street}, ${contact.address.postal_code} ${contact.address.city}` : "—"],
      ]),
      h("button", { type: "button", class: "secondary small", onclick: () => contactFormDialog(leadId, contact) }, "Modifier")))));
}

function contactFormDialog(leadId, contact) {
  dialog({
    title: contact ? `Modifier ${contact.name}` : "Ajouter un contact",
    wide: true,
    build: (form) => add(form, h("div", { class: "grid-2" },
      field("Nom complet", input("name", contact?.name, { maxlength: 120 })),
      field("E-mail", input("email", contact?.email, { type: "email" })),
      field("Mobile", input("mobile", contact?.mobile, { type: "tel" }), { hint: "06 12 34 56 78 ou +33612345678" })),
    h("fieldset", { "data-field": "address" }, h("legend", {}, "Adresse (facultative)"),
      h("div", { class: "grid-2" },
        field("Rue", input("address.street", contact?.address?.street, { maxlength: 200 })),
        field("Code postal", input("address.postal_code", contact?.address?.postal_code, { maxlength: 12 })),
        field("Ville", input("address.city", contact?.address?.city, { maxlength: 100 }))))),
    submit: async (form) => {
      const street = empty(valueOf(form, "address.street"));
      const postal = empty(valueOf(form, "address.postal_code"));
      const city = empty(valueOf(form, "address.city"));
      const body = {
        name: valueOf(form, "name").trim(), email: empty(valueOf(form, "email")), mobile: phoneE164(valueOf(form, "mobile")),
        address: street || postal || city ? { street, postal_code: postal, city } : null,
      };
      if (contact) await put(`/leads/${leadId}/contacts/${contact.id}`, body);
      else await post(`/leads/${leadId}/contacts`, body);
      done(contact ? "Contact modifié." : "Contact ajouté.");
    },
  });
}

// --- timeline ------------------------------------------------------------------------------------

function timeline(page, names) {
  const events = page.details.timeline;
  return h("aside", { class: "timeline", "aria-labelledby": "timeline-title" },
    h("h2", { id: "timeline-title" }, "Historique"),
    events.length
      ? h("ol", {}, events.map((event) => h("li", { class: `event event-${event.kind}` },
        h("p", {}, OPENS[event.item?.kind] ? h("a", { href: OPENS[event.item.kind](event.item.id) }, event.summary) : event.summary,
          event.when ? h("span", { class: "muted" }, ` (${when(event.when)})`) : null),
        h("p", { class: "muted small" }, h("time", { datetime: event.at }, when(event.at)), ` · ${names(event.by)}`))))
      : emptyState("Rien pour l'instant.", "Chaque action sur le lead s'inscrit ici."));
}
