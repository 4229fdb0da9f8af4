// Settings: the dealer's options and branches (admins), its legal information (admins), its
// terms (CGV) per product kind (admins upload, everyone reads), email templates with a preview (admins and managers edit), the seller profile shown to
// customers, and the seller's notification preferences.
import { ApiError, del, get, patch, post, put } from "../api.js";
import { session } from "../auth.js";
import { context, setDealer, setMe } from "../context.js";
import { go } from "../nav.js";
import { uploadDocument } from "../upload.js";
import {
  add, FormProblem, busy, checkbox, checked, clear, clearErrors, confirmDialog, empty, eurosInput, field, h, input, onSubmit,
  openUrlOrLink, parseEuros, phoneE164, select, showErrors, textarea, toast, valueOf, scrollingTable, when
} from "../ui.js";

const SECTIONS = [
  ["dealer", "Concession"],
  ["legal", "Informations légales"],
  ["terms", "Conditions générales"],
  ["templates", "Modèles d'e-mails"],
  ["profile", "Profil vendeur"],
  ["notifications", "Préférences de notification"],
];
const TEMPLATE_NAMES = {
  send: "Envoi de la proposition", reminder: "Relance", question_ack: "Accusé de réception d'une question",
  signature_ack: "Bienvenue (après signature)", seller_notification: "Notification au vendeur",
};

export async function render({ main, params: [section] }) {
  const chosen = SECTIONS.some(([key]) => key === section) ? section : session.isAdmin() ? "dealer" : "profile";
  const ctx = await context();
  const content = h("div", { class: "settings-content" });
  await ({ dealer: dealerSection, legal: legalSection, terms: termsSection, templates: templatesSection, profile: profileSection,
    notifications: notificationsSection })[chosen](content, ctx);
  add(main, 
    h("h1", {}, "Paramètres"),
    h("div", { class: "settings-layout" },
      h("nav", { class: "side-nav", "aria-label": "Sections des paramètres" }, h("ul", {}, SECTIONS.map(([key, label]) =>
        h("li", {}, h("a", { href: `#/settings/${key}`, "aria-current": key === chosen ? "page" : null }, label))))),
      content));
}

function adminOnly(text = "Seul un administrateur de la concession peut modifier ces réglages.") {
  return session.isAdmin() ? null : h("p", { class: "notice" }, text);
}

// --- the dealer's options ------------------------------------------------------------------------

async function dealerSection(content, { dealer, users }) {
  const s = dealer.settings;
  const readOnly = !session.isAdmin();
  const number = (name, value, min, max, label, hint) => field(label, input(name, value, { type: "number", min, max, inputmode: "numeric", disabled: readOnly }), { hint });
  const depositKind = s.deposit.percent ? "percent" : "amount";
  const form = h("form", { class: "card stack", novalidate: true, "aria-labelledby": "dealer-title" },
    h("h2", { id: "dealer-title" }, `Options de ${dealer.name}`),
    adminOnly(),
    h("div", { class: "form-error-slot" }),
    h("fieldset", {}, h("legend", {}, "Vente à distance"),
      checkbox("remote_selling", "Vente à distance activée (propositions envoyées par e-mail et signées en ligne)", s.remote_selling, { disabled: readOnly }),
      checkbox("e_signature", "Signature électronique proposée au client", s.e_signature, { disabled: readOnly }),
      checkbox("signing_codes_by_sms", "Codes de signature envoyés par SMS au mobile du signataire (par e-mail s'il n'a pas de mobile)", s.signing_codes_by_sms, { disabled: readOnly })),
    h("fieldset", { "data-field": "deposit" }, h("legend", {}, "Acompte à la signature"),
      checkbox("deposit.enabled", "Demander un acompte par carte", s.deposit.enabled, { disabled: readOnly }),
      h("div", { class: "grid-3" },
        field("Forme", h("select", { name: "deposit.kind", disabled: readOnly },
          h("option", { value: "amount", selected: depositKind === "amount" }, "Montant fixe"),
          h("option", { value: "percent", selected: depositKind === "percent" }, "Pourcentage du total"))),
        field("Montant (€)", input("deposit.amount_cents", eurosInput(s.deposit.amount_cents), { inputmode: "decimal", disabled: readOnly })),
        field("Pourcentage", input("deposit.percent", s.deposit.percent ?? "", { type: "number", min: 1, max: 100, disabled: readOnly })))),
    h("fieldset", {}, h("legend", {}, "Délais"),
      h("div", { class: "grid-3" },
        number("proposal_validity_days", s.proposal_validity_days, 1, 365, "Validité d'une proposition (jours)"),
        number("link_validity_hours", s.link_validity_hours, 1, 168, "Validité d'un lien client (heures)"),
        number("lead_deadline_hours", s.lead_deadline_hours, 1, 1440, "Délai de contact d'un lead (heures)"),
        h("div", { "data-field": "reminder_days" },
          field("Relances automatiques (jours après l'envoi)", input("reminder_days", s.reminder_days.join(", "), { disabled: readOnly }), { hint: "Par exemple : 3, 7" })))),
    h("fieldset", { "data-field": "withdrawal_days" }, h("legend", {}, "Délais de rétractation (jours)"),
      h("div", { class: "grid-3" },
        number("withdrawal_days.vehicle", s.withdrawal_days.vehicle, 14, 365, "Véhicule", "14 jours au moins"),
        number("withdrawal_days.service_contract", s.withdrawal_days.service_contract, 14, 365, "Contrats de service", "14 jours au moins"),
        number("withdrawal_days.insurance", s.withdrawal_days.insurance, 30, 365, "Assurances", "30 jours au moins"))),
    h("fieldset", { "data-field": "balance" }, h("legend", {}, "Solde de la commande (page du client)"),
      h("div", { class: "grid-3" },
        field("IBAN du virement", input("balance.iban", s.balance.iban ?? "", { disabled: readOnly, autocomplete: "off" })),
        field("BIC", input("balance.bic", s.balance.bic ?? "", { disabled: readOnly, maxlength: 11 })),
        field("Titulaire du compte", input("balance.account_holder", s.balance.account_holder ?? "", { disabled: readOnly, maxlength: 120 }))),
      checkbox("balance.card_enabled", "Proposer le paiement du solde par carte (même prestataire que l'acompte)", s.balance.card_enabled, { disabled: readOnly })),
    readOnly ? null : h("div", { class: "actions start" }, h("button", { type: "submit", class: "primary" }, "Enregistrer les options")));
  // Only the deposit field of the chosen form shows.
  const showDeposit = () => {
    const percent = valueOf(form, "deposit.kind") === "percent";
    form.elements.namedItem("deposit.amount_cents").closest(".field").hidden = percent;
    form.elements.namedItem("deposit.percent").closest(".field").hidden = !percent;
  };
  form.elements.namedItem("deposit.kind").addEventListener("change", showDeposit);
  showDeposit();
  onSubmit(form, "Enregistrement…", async () => {
    const int = (name) => {
      const text = valueOf(form, name).trim();
      return /^\d+$/.test(text) ? Number(text) : text === "" ? null : NaN;
    };
    const text = (name) => valueOf(form, name).trim() || null;
    const problems = {};
    const days = valueOf(form, "reminder_days").split(/[,;\s]+/).filter(Boolean);
    if (days.some((d) => !/^\d+$/.test(d))) problems.reminder_days = "Des nombres de jours séparés par des virgules.";
    const kind = valueOf(form, "deposit.kind");
    const amount = parseEuros(valueOf(form, "deposit.amount_cents"));
    const enabled = checked(form, "deposit.enabled");
    if (enabled && kind === "amount" && amount === null) problems["deposit.amount_cents"] = "Montant en euros attendu.";
    for (const name of ["proposal_validity_days", "link_validity_hours", "lead_deadline_hours", "withdrawal_days.vehicle",
      "withdrawal_days.service_contract", "withdrawal_days.insurance"]) {
      if (Number.isNaN(int(name)) || int(name) === null) problems[name] = "Nombre entier attendu.";
    }
    if (enabled && kind === "percent" && !(int("deposit.percent") >= 1)) problems["deposit.percent"] = "Pourcentage entre 1 et 100.";
    if (Object.keys(problems).length) throw new FormProblem(problems);
    const updated = await patch("/dealer/settings", {
      remote_selling: checked(form, "remote_selling"),
      e_signature: checked(form, "e_signature"),
      signing_codes_by_sms: checked(form, "signing_codes_by_sms"),
      deposit: enabled
        ? { enabled: true, ...(kind === "amount" ? { amount_cents: amount } : { percent: int("deposit.percent") }) }
        : { enabled: false },
      proposal_validity_days: int("proposal_validity_days"),
      link_validity_hours: int("link_validity_hours"),
      lead_deadline_hours: int("lead_deadline_hours"),
      reminder_days: days.map(Number),
      withdrawal_days: {
        vehicle: int("withdrawal_days.vehicle"), service_contract: int("withdrawal_days.service_contract"),
        insurance: int("withdrawal_days.insurance"),
      },
      // Replaced as a whole: the bank details go with the card option.
      balance: {
        iban: text("balance.iban"), bic: text("balance.bic")?.toUpperCase() ?? null,
        account_holder: text("balance.account_holder"), card_enabled: checked(form, "balance.card_enabled"),
      },
    });
    setDealer(updated);
    toast("Options enregistrées.");
  });
  add(content, form, branchesCard(dealer), usersCard(users));
}

function branchesCard(dealer) {
  const list = h("ul", { class: "plain-list" }, dealer.branches.map((b) => h("li", {}, b.name)));
  const form = h("form", { class: "inline-form", novalidate: true },
    h("div", { class: "form-error-slot" }),
    field("Nouveau site", input("name", "", { maxlength: 80 })),
    h("button", { type: "submit", class: "secondary" }, "Ajouter le site"));
  onSubmit(form, "Ajout…", async () => {
    const updated = await post("/dealer/branches", { name: valueOf(form, "name").trim() });
    setDealer(updated);
    list.replaceChildren(...updated.branches.map((b) => h("li", {}, b.name)));
    form.reset();
    toast("Site ajouté.");
  });
  return h("section", { class: "card", "aria-labelledby": "branches-title" },
    h("h2", { id: "branches-title" }, "Sites"),
    dealer.branches.length ? list : h("p", { class: "muted" }, "Aucun site : ajoutez vos points de vente pour y rattacher leads et vendeurs."),
    session.isAdmin() ? form : null);
}

function usersCard(users) {
  const roles = { seller: "Vendeur", manager: "Responsable", admin: "Administrateur", back_office: "ADV" };
  return h("section", { class: "card", "aria-labelledby": "users-title" },
    h("h2", { id: "users-title" }, "Utilisateurs"),
    scrollingTable("Utilisateurs", h("table", { class: "table" },
      h("thead", {}, h("tr", {}, ["Nom", "E-mail", "Rôle", "État"].map((t) => h("th", { scope: "col" }, t)))),
      h("tbody", {}, users.map((u) => h("tr", {},
        h("td", {}, u.name), h("td", {}, u.email), h("td", {}, roles[u.role] || u.role), h("td", {}, u.active ? "Actif" : "Désactivé")))))));
}

// --- legal information ----------------------------------------------------------------------------

async function legalSection(content, { dealer }) {
  const legal = dealer.legal;
  const readOnly = !session.isAdmin();
  const text = (name, label, attrs = {}, hint) => field(label, input(name, legal[name], { disabled: readOnly, ...attrs }), { hint });
  const form = h("form", { class: "card stack", novalidate: true, "aria-labelledby": "legal-title" },
    h("h2", { id: "legal-title" }, "Informations légales"),
    h("p", { class: "muted" }, "Imprimées sur les devis, les propositions et le formulaire de rétractation. " +
      "La raison sociale et l'adresse sont obligatoires pour la vente à distance."),
    adminOnly(),
    h("div", { class: "form-error-slot" }),
    h("div", { class: "grid-2" },
      text("legal_name", "Raison sociale", { maxlength: 120 }),
      text("legal_form", "Forme juridique et capital", { maxlength: 120 }, "Par exemple : SAS au capital de 50 000 €"),
      text("address_line", "Adresse", { maxlength: 160 }),
      text("postal_code", "Code postal", { maxlength: 12 }),
      text("city", "Ville", { maxlength: 80 }),
      text("siret", "SIRET", { maxlength: 20, inputmode: "numeric" }, "14 chiffres"),
      text("rcs", "RCS", { maxlength: 80 }, "Par exemple : RCS Lyon 123 456 789"),
      text("vat_number", "N° de TVA intracommunautaire", { maxlength: 20 }),
      text("phone", "Téléphone", { type: "tel" }, "+33478000000"),
      text("email", "E-mail", { type: "email" }),
      text("mediator", "Médiateur de la consommation", { maxlength: 300 })),
    readOnly ? null : h("div", { class: "actions start" }, h("button", { type: "submit", class: "primary" }, "Enregistrer")));
  onSubmit(form, "Enregistrement…", async () => {
    const names = ["legal_name", "legal_form", "address_line", "postal_code", "city", "siret", "rcs", "vat_number", "phone", "email", "mediator"];
    const body = Object.fromEntries(names.map((name) => [name, empty(valueOf(form, name))]));
    if (body.siret) body.siret = body.siret.replace(/\s/g, "");
    if (body.vat_number) body.vat_number = body.vat_number.replace(/\s/g, "").toUpperCase();
    if (body.phone) body.phone = phoneE164(body.phone);
    const updated = await put("/dealer/legal", body);
    setDealer(updated);
    toast("Informations légales enregistrées.");
  });
  add(content, form);
}

// --- the dealer's terms (CGV) per product kind --------------------------------------------------

async function termsSection(content) {
  const card = h("section", { class: "card stack", "aria-labelledby": "terms-title" });
  add(content, card);
  async function refresh() {
    const { kinds } = await get("/dealer/terms");
    clear(card,
      h("h2", { id: "terms-title" }, "Conditions générales"),
      h("p", { class: "muted" }, "Un PDF par type de produit, annexé à chaque proposition qui comprend ce produit (son empreinte " +
        "couvre ces pages, le client les accepte en signant) et joint à l'e-mail de bienvenue avec le contrat signé. " +
        "Une nouvelle version vaut pour les propositions envoyées ensuite : ce qui a déjà été envoyé garde la sienne."),
      adminOnly("Seul un administrateur de la concession peut déposer ou retirer des conditions générales."),
      scrollingTable("Conditions générales par type de produit", h("table", { class: "table" },
        h("thead", {}, h("tr", {}, ["Produit", "En vigueur", "Déposée le", "Empreinte SHA-256", "Actions"].map((t) => h("th", { scope: "col" }, t)))),
        h("tbody", {}, kinds.map(termsRow)))),
      kinds.some((k) => k.versions.length > (k.current ? 1 : 0)) ? olderVersions(kinds) : null,
      session.isAdmin() ? termsUploadForm(kinds) : null);
  }
  function termsRow(kind) {
    const current = kind.current;
    const actions = h("td", {});
    if (current) {
      add(actions, downloadButton(kind, current, actions));
      if (session.isAdmin()) {
        const remove = h("button", { type: "button", class: "secondary small danger" }, "Retirer");
        remove.addEventListener("click", () => confirmDialog({
          title: "Retirer les conditions générales",
          text: `Les propositions envoyées désormais n'incluront plus de conditions générales pour : ${kind.label.toLowerCase()}. ` +
            "Celles déjà envoyées gardent les leurs.",
          confirmLabel: "Retirer", busyLabel: "Retrait…", danger: true,
          action: async () => {
            await del(`/dealer/terms/${kind.kind}`);
            toast("Conditions générales retirées.");
            await refresh();
          },
        }));
        add(actions, " ", remove);
      }
    }
    return h("tr", {},
      h("th", { scope: "row" }, kind.label),
      h("td", {}, current ? `${current.title} (version ${current.version}, ${current.pages} p.)` : h("span", { class: "muted" }, "Aucune")),
      h("td", {}, current ? when(current.uploaded_at) : "—"),
      h("td", {}, current ? h("code", { title: current.sha256 }, `${current.sha256.slice(0, 12)}…`) : "—"),
      actions);
  }
  function downloadButton(kind, version, container) {
    const button = h("button", { type: "button", class: "secondary small", "aria-label": `Télécharger ${kind.label}, version ${version.version}` }, "Télécharger");
    button.addEventListener("click", () => busy(button, "…", async () => {
      const link = await get(`/dealer/terms/${kind.kind}/versions/${version.version}/download`);
      openUrlOrLink(container, link.url, version.title);
    }));
    return button;
  }
  function olderVersions(kinds) {
    const items = kinds.flatMap((kind) => kind.versions.filter((v) => v.version !== kind.current?.version).map((v) => {
      const item = h("li", {}, `${kind.label} · ${v.title} · version ${v.version} · déposée le ${when(v.uploaded_at)} `);
      item.append(downloadButton(kind, v, item));
      return item;
    }));
    return h("details", {}, h("summary", {}, `Versions précédentes (${items.length})`), h("ul", { class: "plain-list" }, items));
  }
  function termsUploadForm(kinds) {
    const form = h("form", { class: "stack", novalidate: true, "aria-labelledby": "terms-upload-title" },
      h("h3", { id: "terms-upload-title" }, "Déposer des conditions générales"),
      h("div", { class: "form-error-slot" }),
      h("div", { class: "grid-3" },
        field("Type de produit", select("kind", kinds.map((k) => [k.kind, k.label]), kinds[0]?.kind)),
        field("Titre", input("title", "", { maxlength: 120, required: true }), { hint: "Par exemple : Conditions générales de vente VO" }),
        field("Fichier PDF (10 Mo au plus)", input("file", "", { type: "file", accept: ".pdf,application/pdf" }))),
      h("div", { class: "actions start" }, h("button", { type: "submit", class: "primary" }, "Déposer")));
    onSubmit(form, "Envoi…", async () => {
      const title = valueOf(form, "title").trim();
      const file = form.elements.namedItem("file").files[0];
      const problems = {};
      if (!title) problems.title = "Donnez un titre aux conditions générales.";
      if (!file) problems.file = "Choisissez un fichier PDF.";
      else if (!file.name.toLowerCase().endsWith(".pdf")) problems.file = "Les conditions générales doivent être un fichier PDF.";
      if (Object.keys(problems).length) throw new FormProblem(problems);
      const version = await uploadDocument(form, "/dealer/terms/uploads", { kind: valueOf(form, "kind"), title });
      toast(`Version ${version.version} en vigueur.`);
      await refresh();
    });
    return form;
  }
  await refresh();
}

// --- email templates -----------------------------------------------------------------------------

async function templatesSection(content) {
  const templates = await get("/email-templates");
  const canEdit = session.canEditTemplates();
  const picker = h("select", { name: "kind", id: "template-kind" },
    templates.map((t) => h("option", { value: t.kind }, `${TEMPLATE_NAMES[t.kind] || t.kind}${t.custom ? " (personnalisé)" : ""}`)));
  const holder = h("div");
  const show = () => holder.replaceChildren(templateEditor(templates.find((t) => t.kind === picker.value), canEdit));
  picker.addEventListener("change", show);
  add(content, h("section", { class: "card stack", "aria-labelledby": "templates-title" },
    h("h2", { id: "templates-title" }, "Modèles d'e-mails"),
    canEdit ? null : h("p", { class: "notice" }, "Les administrateurs et responsables modifient les modèles ; vous pouvez les lire et les prévisualiser."),
    h("div", { class: "field" }, h("label", { for: "template-kind" }, "Modèle"), picker),
    holder));
  show();
}

function templateEditor(template, canEdit) {
  const preview = h("div", { class: "template-preview", "aria-live": "polite" });
  const form = h("form", { class: "stack", novalidate: true },
    h("div", { class: "form-error-slot" }),
    h("p", { class: "muted small" }, "Variables disponibles : ", template.variables.map((v) => h("code", {}, `{{ ${v} }}`)).flatMap((c) => [c, " "])),
    ["send", "reminder"].includes(template.kind)
      ? h("p", { class: "hint" }, "Le lien vers le document, {{ link }}, doit rester dans le texte et dans le HTML.") : null,
    field("Objet", input("subject", template.subject, { maxlength: 200, readonly: !canEdit })),
    field("Texte", textarea("text", template.text, { rows: 10, readonly: !canEdit, class: "code" })),
    field("HTML", textarea("html", template.html, { rows: 10, readonly: !canEdit, class: "code" })),
    h("div", { class: "actions start" },
      h("button", { type: "button", class: "secondary", "data-action": "preview" }, "Aperçu"),
      canEdit ? h("button", { type: "submit", class: "primary" }, "Enregistrer le modèle") : null,
      canEdit && template.custom ? h("button", { type: "button", class: "secondary", "data-action": "reset" }, "Revenir au modèle par défaut") : null),
    preview);
  const draft = () => ({ subject: valueOf(form, "subject"), text: valueOf(form, "text"), html: valueOf(form, "html") });
  form.querySelector('[data-action="preview"]').addEventListener("click", (event) => busy(event.currentTarget, "Aperçu…", async () => {
    try {
      const rendered = await post(`/email-templates/${template.kind}/preview`, draft());
      clearErrors(form);
      preview.replaceChildren(
        h("h3", {}, "Aperçu avec des données d'exemple"),
        h("p", {}, h("strong", {}, "Objet : "), rendered.subject),
        h("h4", {}, "Version HTML"),
        htmlPreview(rendered.html),
        h("h4", {}, "Version texte"),
        h("pre", { class: "email-text" }, rendered.text));
    } catch (error) {
      if (error instanceof ApiError) showErrors(form, error);
      else throw error;
    }
  }));
  form.querySelector('[data-action="reset"]')?.addEventListener("click", (event) => busy(event.currentTarget, "…", async () => {
    await del(`/email-templates/${template.kind}`);
    toast("Modèle par défaut rétabli.");
    go("#/settings/templates");
  }));
  onSubmit(form, "Enregistrement…", async () => {
    const saved = await put(`/email-templates/${template.kind}`, draft());
    Object.assign(template, saved);
    toast("Modèle enregistré.");
  });
  return form;
}

// The HTML part in a sandboxed frame (no script runs in it). The page's policy forbids inline
// styles, which the frame inherits: its style attributes are applied again through the CSSOM.
function htmlPreview(html) {
  const frame = h("iframe", { class: "email-html", title: "Aperçu HTML de l'e-mail", sandbox: "allow-same-origin", srcdoc: html });
  frame.addEventListener("load", () => {
    const document = frame.contentDocument;
    if (!document) return;
    for (const element of document.querySelectorAll("[style]")) element.style.cssText = element.getAttribute("style");
    frame.style.height = `${Math.min(900, document.documentElement.scrollHeight + 24)}px`;
  });
  return frame;
}

// --- the seller profile and notifications ---------------------------------------------------------

async function profileSection(content, { me }) {
  const profile = me?.profile;
  const form = h("form", { class: "card stack", novalidate: true, "aria-labelledby": "profile-title" },
    h("h2", { id: "profile-title" }, "Profil vendeur"),
    h("p", { class: "muted" }, "Ce que voient vos clients sur les propositions et le portail de signature."),
    profile ? null : h("p", { class: "notice" }, "Pas encore de profil : il est aussi créé à votre première proposition."),
    h("div", { class: "form-error-slot" }),
    h("div", { class: "grid-3" },
      field("Nom affiché", input("display_name", profile?.display_name || me?.name || "", { maxlength: 120 })),
      field("Téléphone", input("phone", profile?.phone || me?.phone || "", { type: "tel" }), { hint: "06 12 34 56 78 ou +33612345678" }),
      field("E-mail", input("email", profile?.email || me?.email || "", { type: "email" }))),
    h("div", { class: "actions start" }, h("button", { type: "submit", class: "primary" }, "Enregistrer le profil")));
  onSubmit(form, "Enregistrement…", async () => {
    const user = await put("/me/profile", {
      display_name: valueOf(form, "display_name").trim(), phone: phoneE164(valueOf(form, "phone")) || "",
      email: valueOf(form, "email").trim(), notifications: me?.notifications,
    });
    setMe(user);
    toast("Profil enregistré.");
  });
  add(content, form);
}

const NOTIFY = [
  ["on_view", "Le client consulte la proposition"],
  ["on_download", "Le client télécharge le PDF"],
  ["on_question", "Le client pose une question"],
  ["on_signature", "Le client signe"],
  ["on_payment", "Le client paie l'acompte"],
];

async function notificationsSection(content, { me }) {
  const prefs = me?.notifications || {};
  const profile = me?.profile;
  const form = h("form", { class: "card stack", novalidate: true, "aria-labelledby": "notifications-title" },
    h("h2", { id: "notifications-title" }, "Notifications"),
    h("p", { class: "muted" }, "Comment Offerline vous prévient de ce que font vos clients sur les propositions dont vous êtes le vendeur."),
    profile ? null : h("p", { class: "notice" }, "Renseignez d'abord votre ", h("a", { href: "#/settings/profile" }, "profil vendeur"),
      " : les notifications partent à son e-mail et à son téléphone."),
    h("div", { class: "form-error-slot" }),
    h("fieldset", {}, h("legend", {}, "Par"),
      checkbox("notifications.email", `E-mail${profile ? ` (${profile.email})` : ""}`, prefs.email ?? true),
      checkbox("notifications.sms", `SMS${profile ? ` (${profile.phone})` : ""}`, prefs.sms ?? false)),
    h("fieldset", {}, h("legend", {}, "Quand"),
      NOTIFY.map(([name, label]) => checkbox(`notifications.${name}`, label, prefs[name] ?? true))),
    // The bell always lists the user's own notices; a manager or an admin may also follow the team's.
    ["manager", "admin"].includes(me?.role) ? h("fieldset", {}, h("legend", {}, "Dans l'application"),
      checkbox("notifications.team_in_app", "Voir aussi dans les notifications ce que font les clients de toute l'équipe",
        prefs.team_in_app ?? false)) : null,
    h("div", { class: "actions start" }, h("button", { type: "submit", class: "primary", disabled: !profile }, "Enregistrer les préférences")));
  onSubmit(form, "Enregistrement…", async () => {
    const names = ["email", "sms", ...NOTIFY.map(([name]) => name), ...(form.elements.namedItem("notifications.team_in_app") ? ["team_in_app"] : [])];
    const notifications = Object.fromEntries(names.map((name) => [name, checked(form, `notifications.${name}`)]));
    const user = await put("/me/profile", {
      display_name: profile.display_name, phone: profile.phone, email: profile.email, notifications,
    });
    setMe(user);
    toast("Préférences enregistrées.");
  });
  add(content, form);
}
