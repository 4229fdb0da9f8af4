// The quote editor: customer contact, validity, lines (with live totals), notes; save,
// PDF preview, duplicate, and "Créer la proposition" for remote signing.
import { ApiError, get, patch, post } from "../api.js";
import { context, userName } from "../context.js";
import { go, guardLeaving } from "../nav.js";
import {
  add, busy, clear, day, dialog, field, h, input, onSubmit, openUrlOrLink, phoneE164, select, showErrors, textarea, toast, valueOf,
  when,
} from "../ui.js";
import { linesEditor, totalsOf, totalsTable } from "./lines.js";
import { openOrderDialog } from "./order.js";
import { invoiceQuote } from "./invoices.js";
import { workPanel } from "./record-work.js";

export async function render({ main, params: [quoteId] }) {
  const [quote, { dealer, users, me }] = await Promise.all([get(`/quotes/${quoteId}`), context()]);
  const account = await get(`/accounts/${quote.account_id}`);
  const state = { quote, dirty: false };
  guardLeaving(() => state.dirty);
  const customerName = account.account.name;

  const status = h("p", { class: "save-state", role: "status" });
  const totalsBox = h("div", { class: "totals-box", "aria-live": "polite" });
  const form = h("form", { class: "quote-form", id: "quote-form", novalidate: true });
  const editor = linesEditor(quote.lines, { onChange: () => markDirty() });

  function markDirty() {
    state.dirty = true;
    status.textContent = "Modifications non enregistrées.";
    status.className = "save-state unsaved";
    showTotals();
  }
  function showTotals() {
    const computed = state.dirty ? totalsOf(editor.preview()) : state.quote.totals;
    clear(totalsBox, totalsTable(computed, state.dirty ? "Totaux (calcul provisoire)" : "Totaux"),
      state.dirty ? h("p", { class: "muted small" }, "Calculés dans le navigateur ; le serveur les recalcule à l'enregistrement.") : null);
  }

  const contacts = account.contacts.map((c) => [c.id, `${c.first_name} ${c.last_name}${c.email ? ` <${c.email}>` : ""}`]);
  // An account with one contact: nothing to choose, the proposal goes to that contact (the API does the same).
  const contactField = contacts.length === 1
    ? [field("Contact destinataire", input("contact_shown", contacts[0][1], { readonly: true })),
      h("input", { type: "hidden", name: "contact_id", value: contacts[0][0] })]
    : field("Contact destinataire", select("contact_id", [["", "— Choisir —"], ...contacts], quote.contact_id || ""));
  add(form, 
    h("div", { class: "form-error-slot" }),
    h("fieldset", { class: "card" },
      h("legend", {}, "Client et validité"),
      h("div", { class: "grid-3" },
        contactField,
        field("Valable jusqu'au", input("valid_until", quote.valid_until, { type: "date" })),
        field("Vendeur", select("seller_id", users.filter((u) => u.active).map((u) => [u.id, u.name]), quote.seller_id)))),
    h("section", { class: "card", "aria-labelledby": "lines-title" },
      h("h2", { id: "lines-title" }, "Lignes"),
      editor.element),
    h("div", { class: "card" }, field("Notes (imprimées sur le devis)", textarea("notes", quote.notes, { maxlength: 4000, rows: 3 }))));
  form.addEventListener("input", (event) => { if (!event.target.closest(".lines")) markDirty(); });

  const saveButton = h("button", { type: "submit", class: "primary", form: "quote-form" }, "Enregistrer");
  const pdfButton = h("button", { type: "button", class: "secondary" }, "Aperçu PDF");
  const duplicateButton = h("button", { type: "button", class: "secondary" }, "Dupliquer");
  const remote = dealer.settings.remote_selling;
  const proposeButton = h("button", {
    type: "button", class: "primary", disabled: !remote, "aria-describedby": remote ? null : "remote-off",
  }, "Créer la proposition");
  const orderButton = h("button", { type: "button", class: "secondary span-2" }, "Créer une commande");
  // A quote selling no vehicle (a service contract alone) is invoiced from here; a car at its handover.
  const sellsNoCar = !quote.lines.some((line) => line.kind === "vehicle" && (!line.optional || line.chosen));
  const invoiceButton = sellsNoCar ? h("button", { type: "button", class: "secondary span-2" }, "Facturer") : null;
  const actionBar = h("div", { class: "quote-actions", role: "group", "aria-label": "Actions sur le devis" },
    saveButton, pdfButton, duplicateButton, proposeButton, orderButton, invoiceButton, status,
    remote ? null : h("p", { class: "hint", id: "remote-off" },
      "La vente à distance n'est pas activée pour la concession : un administrateur peut l'activer dans Paramètres."));

  async function save() {
    const body = {
      version: state.quote.version,
      contact_id: valueOf(form, "contact_id") || undefined,
      seller_id: valueOf(form, "seller_id") || undefined,
      valid_until: valueOf(form, "valid_until") || undefined,
      notes: valueOf(form, "notes").trim() || null,
      lines: editor.read(),
    };
    if (!body.notes) delete body.notes;
    state.quote = await patch(`/quotes/${state.quote.id}`, body);
    state.dirty = false;
    status.textContent = `Enregistré (version ${state.quote.version}).`;
    status.className = "save-state saved";
    showTotals();
    return state.quote;
  }
  async function saveIfNeeded() {
    if (state.dirty) await save();
  }
  onSubmit(form, "Enregistrement…", async () => {
    await save();
    toast(`Devis ${state.quote.number} enregistré.`);
  });

  const guarded = (button, label, action) => button.addEventListener("click", async () => {
    try {
      await busy(button, label, action);
    } catch (error) {
      if (error instanceof ApiError) showErrors(form, error);
      else throw error;
    }
  });
  guarded(pdfButton, "Préparation du PDF…", async () => {
    await saveIfNeeded();
    const pdf = await get(`/quotes/${state.quote.id}/pdf`);
    openUrlOrLink(actionBar, pdf.url, `le devis ${state.quote.number} (PDF)`);
  });
  guarded(duplicateButton, "Duplication…", async () => {
    await saveIfNeeded();
    const copy = await post(`/quotes/${state.quote.id}/duplicate`);
    toast(`Copie ${copy.number} créée.`);
    go(`#/quotes/${copy.id}`);
  });
  guarded(proposeButton, "Création de la proposition…", async () => {
    await saveIfNeeded();
    const holder = state.quote.contact_id || (account.contacts.length === 1 ? account.contacts[0].id : null);
    // Another contact of the account with an address may sign too (cotitulaire): asked now, changeable on the draft.
    const others = holder ? account.contacts.filter((c) => c.email && c.id !== holder) : [];
    if (others.length) newProposalDialog(state.quote, me, others);
    else await createProposal(state.quote, me, form);
  });

  guarded(orderButton, "Enregistrement…", async () => {
    await saveIfNeeded();
    openOrderDialog(state.quote);
  });

  if (invoiceButton) {
    guarded(invoiceButton, "Facturation…", async () => {
      await saveIfNeeded();
      await invoiceQuote(state.quote);
    });
  }

  add(main, 
    h("nav", { class: "crumbs", "aria-label": "Fil d'Ariane" },
      quote.lead_id ? [h("a", { href: `#/leads/${quote.lead_id}` }, "Lead"), " › "] : [h("a", { href: "#/quotes" }, "Devis"), " › "],
      quote.number),
    h("div", { class: "page-head" },
      h("div", {},
        h("h1", {}, `Devis ${quote.number}`),
        h("p", { class: "muted" }, h("a", { href: `#/accounts/${quote.account_id}` }, customerName), ` · créé le ${when(quote.created_at)} par ${userName(users, quote.created_by)}` +
          ` · valable jusqu'au ${day(quote.valid_until)}`))),
    h("div", { class: "quote-layout" }, form, h("aside", { class: "quote-side", "aria-label": "Totaux et actions" }, totalsBox, actionBar)),
    workPanel("quote", quote.id));
  showTotals();
}

// POST /proposals (with the co-holder chosen, if any); asks for the seller block the first time (it becomes the
// seller's profile). False when the problem is shown in `form` (a dialog then stays open).
async function createProposal(quote, me, form, coHolderId = null) {
  const asked = { quote_id: quote.id, ...(coHolderId ? { co_holder_contact_id: coHolderId } : {}) };
  try {
    proposalCreated(await post("/proposals", asked));
  } catch (error) {
    if (!(error instanceof ApiError)) throw error;
    if (error.fields?.seller) {
      sellerBlockDialog(asked, me);
      return true;
    }
    if (Object.keys(error.fields || {}).some((name) => name.startsWith("dealer.legal"))) {
      showErrors(form, error);
      form.querySelector(".form-error").append(h("p", {}, h("a", { href: "#/settings/legal" }, "Ouvrir Paramètres › Informations légales")));
      return false;
    }
    throw error;
  }
  return true;
}

function newProposalDialog(quote, me, others) {
  dialog({
    title: "Nouvelle proposition",
    submitLabel: "Créer la proposition",
    busyLabel: "Création de la proposition…",
    build: (form) => add(form,
      field("Cotitulaire (second signataire)", select("co_holder_contact_id",
        [["", "Aucun : un seul signataire"], ...others.map((o) => [o.id, `${o.first_name} ${o.last_name} <${o.email}>`])], ""),
        { hint: "Il signe avec son propre code, même s'il partage l'adresse e-mail du titulaire. Modifiable sur le brouillon." })),
    submit: (form) => createProposal(quote, me, form, valueOf(form, "co_holder_contact_id") || null),
  });
}

function proposalCreated(view) {
  toast(`Proposition ${view.proposal.reference} créée (brouillon).`);
  go(`#/proposals/${view.proposal.id}`);
}

function sellerBlockDialog(asked, me) {
  dialog({
    title: "Vos coordonnées pour le client",
    submitLabel: "Créer la proposition",
    busyLabel: "Création de la proposition…",
    build: (form) => add(form, 
      h("p", { class: "muted" }, "Le client voit ce bloc sur la proposition. Il devient votre profil vendeur pour les prochaines ventes."),
      h("div", { "data-field": "seller" }, h("div", { class: "grid-2" },
        field("Nom affiché", input("seller.display_name", me?.name || "", { maxlength: 120 })),
        field("Téléphone", input("seller.phone", me?.phone || "", { type: "tel" }), { hint: "06 12 34 56 78 ou +33612345678" }),
        field("E-mail", input("seller.email", me?.email || "", { type: "email" }))))),
    submit: async (form) => {
      const seller = {
        display_name: valueOf(form, "seller.display_name").trim(),
        phone: phoneE164(valueOf(form, "seller.phone")) || "",
        email: valueOf(form, "seller.email").trim(),
      };
      proposalCreated(await post("/proposals", { ...asked, seller }));
    },
  });
}
