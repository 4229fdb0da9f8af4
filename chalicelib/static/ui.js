// Small DOM helpers shared by every screen: elements, French formats, field errors,
// progress on slow buttons, dialogs, tabs and announcements. Text is always set as text.
import { ApiError, openUrl } from "./api.js";

// h("button", {class: "primary", onclick}, "Enregistrer") — attributes, then children.
// A table that scrolls sideways on a narrow screen: a named region a keyboard can focus and scroll.
export function scrollingTable(label, table) {
  return h("div", { class: "table-scroll", tabindex: "0", role: "region", "aria-label": label }, table);
}

export function h(tag, attributes = {}, ...children) {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes || {})) {
    if (value === undefined || value === null || value === false) continue;
    if (name.startsWith("on") && typeof value === "function") element.addEventListener(name.slice(2), value);
    else if (name === "class") element.className = Array.isArray(value) ? value.filter(Boolean).join(" ") : value;
    else if (name === "dataset") Object.assign(element.dataset, value);
    else if (name === "value") element.value = value;
    else if (name === "checked" || name === "selected" || name === "disabled") element[name] = Boolean(value);
    else if (value === true) element.setAttribute(name, "");
    else element.setAttribute(name, String(value));
  }
  append(element, children);
  return element;
}

function append(element, children) {
  for (const child of children.flat(Infinity)) {
    if (child === undefined || child === null || child === false) continue;
    element.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
}

// element.append, skipping null, undefined and false (conditional parts of a screen).
export function add(element, ...children) {
  append(element, children);
  return element;
}

export function clear(element, ...children) {
  element.replaceChildren();
  append(element, children);
  return element;
}

// --- French formats -----------------------------------------------------------------------

const euros = new Intl.NumberFormat("fr-FR", { style: "currency", currency: "EUR" });
const dateTime = new Intl.DateTimeFormat("fr-FR", { dateStyle: "short", timeStyle: "short", timeZone: "Europe/Paris" });
const dateOnly = new Intl.DateTimeFormat("fr-FR", { dateStyle: "long", timeZone: "Europe/Paris" });
const shortDate = new Intl.DateTimeFormat("fr-FR", { dateStyle: "short", timeZone: "Europe/Paris" });

export const money = (cents) => euros.format((Number(cents) || 0) / 100);
export const when = (iso) => (iso ? dateTime.format(new Date(iso)) : "—");
export const day = (isoDate) => (isoDate ? dateOnly.format(new Date(`${isoDate}T12:00:00Z`)) : "—");
export const shortDay = (isoDate) => (isoDate ? shortDate.format(new Date(`${isoDate}T12:00:00Z`)) : "—");
export const rate = (percent) => `${String(percent).replace(".", ",")} %`;

// 90061 → "1 j 1 h", 4500 → "1 h 15 min", 300 → "5 min".
export function duration(seconds) {
  const total = Math.max(0, Math.round(Math.abs(seconds) / 60));
  const days = Math.floor(total / 1440);
  const hours = Math.floor((total % 1440) / 60);
  const minutes = total % 60;
  if (days) return hours ? `${days} j ${hours} h` : `${days} j`;
  if (hours) return minutes ? `${hours} h ${minutes} min` : `${hours} h`;
  return `${minutes} min`;
}

// The countdown to a deadline, as of now: {text, overdue}.
export function countdown(deadlineIso, now = Date.now()) {
  if (!deadlineIso) return { text: "Pas d'échéance", overdue: false, none: true };
  const left = (new Date(deadlineIso).getTime() - now) / 1000;
  return left < 0
    ? { text: `En retard de ${duration(left)}`, overdue: true }
    : { text: `Reste ${duration(left)}`, overdue: false };
}

// "15 825,00" or "15825" → 1582500; null when not an amount.
export function parseEuros(text) {
  const cleaned = String(text ?? "").replace(/[\s\u00a0\u202f€]/g, "").replace(",", ".");
  if (!/^\d{1,9}(\.\d{1,2})?$/.test(cleaned)) return null;
  const [whole, fraction = ""] = cleaned.split(".");
  return Number(whole) * 100 + Number((fraction + "00").slice(0, 2));
}

export function eurosInput(cents) {
  if (cents === null || cents === undefined || cents === "") return "";
  const value = Number(cents);
  return `${Math.floor(value / 100)},${String(value % 100).padStart(2, "0")}`;
}

// French mobile numbers as typed ("06 12 34 56 78") → E.164 ("+33612345678"), as the API wants.
export function phoneE164(text) {
  const cleaned = String(text ?? "").replace(/[\s.\-()]/g, "");
  if (!cleaned) return null;
  if (/^0[1-9]\d{8}$/.test(cleaned)) return `+33${cleaned.slice(1)}`;
  if (/^00[1-9]\d+$/.test(cleaned)) return `+${cleaned.slice(2)}`;
  return cleaned;
}

// <input type="datetime-local"> value ↔ ISO time.
export function localInput(iso) {
  if (!iso) return "";
  const date = new Date(iso);
  const pad = (n) => String(n).padStart(2, "0");
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}T${pad(date.getHours())}:${pad(date.getMinutes())}`;
}
export function fromLocalInput(value) {
  return value ? new Date(value).toISOString() : null;
}

export const empty = (value) => (value === undefined || value === null || String(value).trim() === "" ? null : String(value).trim());

// --- badges -------------------------------------------------------------------------------

export const LEAD_STATUS = { open: "En traitement", won: "Gagnée", lost: "Perdue" };
export const PROPOSAL_STATUS = {
  draft: "Brouillon", sent: "Envoyée", viewed: "Consultée", accepted: "Acceptée",
  declined: "Refusée", expired: "Expirée", withdrawn: "Retirée",
};

export function badge(kind, status, label) {
  return h("span", { class: `badge badge-${kind}-${status}` }, label);
}

// --- field errors -------------------------------------------------------------------------

const REASONS = [
  [/^field required$/i, "Champ obligatoire."],
  [/at least 1 (character|item)/i, "Champ obligatoire."],
  [/at least (\d+) characters?/i, (m) => `Au moins ${m[1]} caractères.`],
  [/at most (\d+) characters?/i, (m) => `Au plus ${m[1]} caractères.`],
  [/not a valid email/i, "Adresse e-mail invalide."],
  [/should match pattern/i, "Format invalide."],
  [/greater than or equal to ([\d.]+)/i, (m) => `Doit être supérieur ou égal à ${m[1]}.`],
  [/greater than ([\d.]+)/i, (m) => `Doit être supérieur à ${m[1]}.`],
  [/less than or equal to ([\d.]+)/i, (m) => `Doit être inférieur ou égal à ${m[1]}.`],
  [/valid date|date_from_datetime|date_parsing/i, "Date invalide."],
  [/valid datetime|timezone/i, "Date et heure invalides."],
  [/input should be true/i, "Cette case doit être cochée."],
  [/valid integer/i, "Nombre entier attendu."],
  [/valid number|decimal places/i, "Nombre invalide."],
  [/unknown field/i, "Champ inconnu."],
  [/give an email or a mobile/i, "Indiquez un e-mail ou un mobile."],
  [/required for remote selling/i, "Obligatoire pour la vente à distance."],
  [/no seller profile yet/i, "Renseignez le bloc vendeur."],
  [/nothing to propose/i, "Ajoutez au moins une ligne incluse dans le total."],
  [/the quote has no contact/i, "Choisissez le contact du devis."],
  [/^expired$/i, "Date dépassée."],
  [/margin scheme/i, "La TVA sur marge s'applique à un véhicule d'occasion avec un taux de 0 %."],
  [/direct debit/i, "Seuls les contrats de service et les assurances se paient par prélèvement."],
  [/only an optional line can be chosen/i, "Seule une option peut être retenue."],
  [/already used/i, "Déjà utilisé."],
  [/document link .*missing|must print .*link/i, "Le lien {{ link }} vers le document doit rester dans cette partie."],
  [/unknown variable|not offered|undefined/i, "Variable inconnue pour ce modèle."],
  [/locked|create a new proposal/i, "Ne peut plus être modifié après l'envoi."],
];

export function reason(text) {
  const raw = String(text || "").replace(/^Value error, /, "");
  for (const [pattern, french] of REASONS) {
    const found = raw.match(pattern);
    if (found) return typeof french === "function" ? french(found) : french;
  }
  return raw;
}

export function clearErrors(form) {
  form.querySelectorAll(".field-error, .form-error").forEach((node) => node.remove());
  form.querySelectorAll("[aria-invalid]").forEach((node) => {
    node.removeAttribute("aria-invalid");
    const described = (node.getAttribute("aria-describedby") || "").split(" ").filter((id) => !id.startsWith("err-"));
    if (described.length) node.setAttribute("aria-describedby", described.join(" "));
    else node.removeAttribute("aria-describedby");
  });
}

let errorCount = 0;

// Shows an ApiError in a form: each field's reason next to the field it names
// ("lines.0.unit_price_cents" → the element with data-field of that path, or the closest
// parent path), the message and anything not placed at the top of the form.
export function showErrors(form, error) {
  clearErrors(form);
  const apiError = error instanceof ApiError ? error : new ApiError(0, { message: error?.message || String(error) });
  const unplaced = [];
  let first = null;
  for (const [path, why] of Object.entries(apiError.fields || {})) {
    const target = fieldTarget(form, path);
    if (!target) {
      unplaced.push([path, why]);
      continue;
    }
    const id = `err-${++errorCount}`;
    const note = h("p", { class: "field-error", id }, reason(why));
    const input = target.matches("input, select, textarea") ? target : target.querySelector("input, select, textarea");
    if (input) {
      input.setAttribute("aria-invalid", "true");
      input.setAttribute("aria-describedby", [input.getAttribute("aria-describedby"), id].filter(Boolean).join(" "));
    }
    const holder = target.matches("input, select, textarea") ? target.closest(".field") || target.parentElement : target;
    const legend = holder.matches("fieldset") ? holder.querySelector(":scope > legend") : null;
    if (legend) legend.after(note);
    else holder.append(note);
    first = first || input || target;
  }
  const summary = h("div", { class: "form-error", role: "alert" },
    h("p", {}, apiError.message),
    first && !unplaced.length && !(error instanceof FormProblem) ? h("p", {}, "Corrigez les champs signalés.") : null,
    unplaced.length ? h("ul", {}, unplaced.map(([path, why]) => h("li", {}, `${fieldName(form, path)} : ${reason(why)}`))) : null,
    apiError.requestId ? h("p", { class: "muted" }, `Identifiant de requête : ${apiError.requestId}`) : null,
  );
  const slot = form.querySelector(".form-error-slot") || form;
  slot.prepend(summary);
  (first || summary).scrollIntoView?.({ block: "center" });
  if (first && typeof first.focus === "function") first.focus({ preventScroll: true });
  return apiError;
}

function fieldTarget(form, path) {
  const parts = path.split(".");
  while (parts.length) {
    const name = parts.join(".");
    const found = form.querySelector(`[data-field="${CSS.escape(name)}"]`) || form.querySelector(`[name="${CSS.escape(name)}"]`);
    if (found) return found;
    parts.pop();
  }
  return null;
}

function fieldName(form, path) {
  const names = { body: "Requête", cursor: "Page", missing: "Il manque" };
  return names[path] || path;
}

// --- progress ---------------------------------------------------------------------------

// Runs a slow action: the button is disabled and says what is happening until it ends.
export async function busy(button, label, action) {
  if (!button) return action();
  const before = [...button.childNodes];
  button.disabled = true;
  button.setAttribute("aria-busy", "true");
  clear(button, h("span", { class: "spinner", "aria-hidden": "true" }), label);
  try {
    return await action();
  } finally {
    button.disabled = false;
    button.removeAttribute("aria-busy");
    clear(button, before);
  }
}

// Submits a form with progress and field errors; `action` gets the form and returns a value.
export function onSubmit(form, label, action) {
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const button = event.submitter || form.querySelector('button[type="submit"]');
    clearErrors(form);
    try {
      await busy(button, label, () => action(form, button));
    } catch (error) {
      if (error instanceof ApiError || error instanceof FormProblem) showErrors(form, error);
      else throw error;
    }
  });
  return form;
}

// A problem found before calling the API, shown like one (e.g. an amount that is not a number).
export class FormProblem extends ApiError {
  constructor(fields, message = "Vérifiez les champs signalés.") {
    super(400, { code: "invalid_input", message, fields });
  }
}

// --- fields -------------------------------------------------------------------------------

let fieldCount = 0;

// A labelled input. `name` is the API's field path (errors land next to it).
export function field(label, input, { hint, className } = {}) {
  const id = input.id || `f-${++fieldCount}`;
  input.id = id;
  const parts = [h("label", { for: id }, label)];
  if (hint) {
    const hintId = `${id}-hint`;
    input.setAttribute("aria-describedby", hintId);
    parts.push(h("p", { class: "hint", id: hintId }, hint));
  }
  parts.push(input);
  return h("div", { class: ["field", className] }, parts);
}

export function input(name, value = "", attributes = {}) {
  return h("input", { name, value: value ?? "", type: "text", ...attributes });
}

export function select(name, options, value, attributes = {}) {
  return h("select", { name, ...attributes },
    options.map(([optionValue, label]) => h("option", { value: optionValue, selected: String(optionValue) === String(value ?? "") }, label)));
}

export function checkbox(name, label, checked, attributes = {}) {
  const id = `f-${++fieldCount}`;
  return h("div", { class: "check", "data-field": name },
    h("input", { type: "checkbox", id, name, checked, ...attributes }),
    h("label", { for: id }, label));
}

export function textarea(name, value = "", attributes = {}) {
  const area = h("textarea", { name, rows: 4, ...attributes });
  area.value = value ?? "";
  return area;
}

export const valueOf = (form, name) => form.elements.namedItem(name)?.value ?? "";
export const checked = (form, name) => Boolean(form.elements.namedItem(name)?.checked);

// --- dialogs ------------------------------------------------------------------------------

// A modal form. `build(form)` fills it (it may be async: the dialog shows "Chargement…"
// meanwhile); `submit(form)` calls the API and returns anything but false to close.
export function dialog({ title, build, submitLabel = "Enregistrer", busyLabel = "Enregistrement…", submit, wide = false }) {
  const titleId = `dlg-${++fieldCount}`;
  const form = h("form", { class: "dialog-form", novalidate: true });
  const box = h("dialog", { class: ["dialog", wide && "dialog-wide"], "aria-labelledby": titleId },
    h("div", { class: "dialog-head" },
      h("h2", { id: titleId }, title),
      h("button", { type: "button", class: "icon-button", "aria-label": "Fermer", onclick: () => box.close() }, "×")),
    form);
  const waiting = loading();
  form.append(h("div", { class: "form-error-slot" }), waiting);
  const submitButton = h("button", { type: "submit", class: "primary" }, submitLabel);
  const actions = h("div", { class: "actions" },
    h("button", { type: "button", class: "secondary", onclick: () => box.close() }, "Annuler"),
    submitButton);
  Promise.resolve()
    .then(() => build(form))
    .then(() => {
      waiting.remove();
      form.append(actions);
      form.querySelector("input:not([type=hidden]), select, textarea")?.focus();
      box.dispatchEvent(new Event("ready"));
    })
    .catch((error) => {
      waiting.remove();
      form.append(errorState(error), h("div", { class: "actions" },
        h("button", { type: "button", class: "secondary", onclick: () => box.close() }, "Fermer")));
    });
  onSubmit(form, busyLabel, async () => {
    const done = await submit(form);
    if (done !== false) box.close();
  });
  box.addEventListener("close", () => box.remove());
  box.submitButton = submitButton;
  document.body.append(box);
  box.showModal();
  return box;
}

export function confirmDialog({ title, text, confirmLabel, busyLabel, action, danger = false }) {
  const box = dialog({
    title, submitLabel: confirmLabel, busyLabel,
    build: (form) => form.append(h("p", {}, text)),
    submit: action,
  });
  if (danger) box.submitButton.classList.add("danger");
  return box;
}

// --- tabs (WAI-ARIA tabs pattern) -----------------------------------------------------------

export function tabs(label, entries, selected, onSelect) {
  const list = h("div", { role: "tablist", "aria-label": label, class: "tabs" });
  const panels = [];
  const buttons = entries.map(([key, title, panel], index) => {
    const tabId = `tab-${key}`;
    const panelId = `panel-${key}`;
    const active = key === selected;
    panel.id = panelId;
    panel.setAttribute("role", "tabpanel");
    panel.setAttribute("aria-labelledby", tabId);
    panel.setAttribute("tabindex", "0");
    panel.hidden = !active;
    panels.push(panel);
    return h("button", {
      type: "button", role: "tab", id: tabId, "aria-controls": panelId, "aria-selected": active ? "true" : "false",
      tabindex: active ? "0" : "-1", dataset: { key },
      onclick: () => choose(index, true),
      onkeydown: (event) => {
        const moves = { ArrowRight: 1, ArrowLeft: -1 };
        if (event.key in moves) choose((index + moves[event.key] + entries.length) % entries.length, true);
        if (event.key === "Home") choose(0, true);
        if (event.key === "End") choose(entries.length - 1, true);
      },
    }, title);
  });
  function choose(index, focus) {
    buttons.forEach((button, i) => {
      const on = i === index;
      button.setAttribute("aria-selected", on ? "true" : "false");
      button.tabIndex = on ? 0 : -1;
      panels[i].hidden = !on;
    });
    if (focus) buttons[index].focus();
    onSelect?.(entries[index][0]);
  }
  list.append(...buttons);
  return h("div", { class: "tabbed" }, list, panels);
}

// --- announcements and states ---------------------------------------------------------------

// A short confirmation, read by screen readers (the holder is a polite live region).
export function toast(text, kind = "ok") {
  const holder = document.getElementById("toasts");
  const note = h("p", { class: `toast toast-${kind}` }, text);
  holder.replaceChildren(note);
  setTimeout(() => note.remove(), 5000);
}

// The footer of a list read a page at a time: `first` page's rows go into `body` now, then
// "Plus de résultats" reads `next(cursor)` and adds its rows, until `allShown` says there is
// no more. A failed read says why above the button, which stays to try again.
export function moreRows(body, first, { row, next, allShown }) {
  const footer = h("div", { class: "list-footer" });
  const more = h("button", { type: "button", class: "secondary" }, "Plus de résultats");
  let cursor;
  const append = (page) => {
    body.append(...page.items.map(row));
    cursor = page.next_cursor;
  };
  const showMore = () => footer.replaceChildren(cursor ? more : h("p", { class: "muted" }, allShown));
  append(first);
  showMore();
  more.addEventListener("click", () => busy(more, "Chargement…", async () => append(await next(cursor))).then(
    showMore, (error) => footer.replaceChildren(h("p", { class: "field-error", role: "alert" }, error.message), more)));
  return footer;
}

export function emptyState(title, text, action) {
  return h("div", { class: "empty" }, h("p", { class: "empty-title" }, title), h("p", {}, text), action || null);
}

export function errorState(error, retry) {
  return h("div", { class: "notice notice-error", role: "alert" },
    h("p", {}, error?.message || "Erreur inattendue."),
    retry ? h("button", { type: "button", class: "secondary", onclick: retry }, "Réessayer") : null);
}

// SPEC A.3: without the remote-selling option, say so and who can change it (never a silent gap).
export function remoteSellingOff(message, isAdmin) {
  return h("div", { class: "notice", role: "status" },
    h("p", {}, message || "L'option vente à distance n'est pas activée pour cette concession."),
    isAdmin ? h("p", {}, h("a", { href: "#/settings/dealer" }, "Activer la vente à distance dans Paramètres › Concession")) : null);
}

export function loading(text = "Chargement…") {
  return h("p", { class: "loading", role: "status" }, h("span", { class: "spinner", "aria-hidden": "true" }), text);
}

// A definition list from [term, value] pairs, skipping empty values.
export function facts(pairs, className = "facts") {
  return h("dl", { class: className }, pairs.filter(([, value]) => value !== null && value !== undefined && value !== "")
    .map(([term, value]) => h("div", {}, h("dt", {}, term), h("dd", {}, value))));
}

export function link(href, text, attributes = {}) {
  return h("a", { href, ...attributes }, text);
}

// Opens a short-lived document URL in a new tab; if the browser blocks it, offers a link instead.
export function openUrlOrLink(container, url, label) {
  if (openUrl(url)) return;
  container.querySelector(".fallback-link")?.remove();
  container.append(h("p", { class: "fallback-link" },
    h("a", { href: url, target: "_blank", rel: "noopener" }, `Ouvrir ${label}`), " (lien valable quelques minutes)"));
}
