// In-person signing on the seller's tablet (issue 16 item 2, seed 000 face to face): the seller opens a
// 30-minute session; the customer present reads the document, fills the sign form, receives a code by SMS
// on their mobile and types it here. The session token stays in this page's memory only (never in the
// address or the browser's storage): it works for this seller, on this proposal, and nowhere else.
import { post, get } from "../api.js";
import { add, busy, checkbox, checked, clear, field, h, input, money, showErrors, toast, valueOf, when } from "../ui.js";

export async function render({ main, params: [proposalId] }) {
  const view = await get(`/proposals/${proposalId}`);
  const p = view.proposal;
  const area = h("div", { class: "stack in-person" });
  const start = h("button", { type: "button", class: "primary" }, "Ouvrir la session de signature");
  const problem = h("p", { class: "field-error", role: "alert", hidden: true });
  start.addEventListener("click", () => busy(start, "Ouverture…", async () => {
    try {
      const session = await post(`/proposals/${p.id}/in-person`);
      showForm(area, p, session);
    } catch (error) {
      problem.textContent = error.message;
      problem.hidden = false;
    }
  }));
  clear(main,
    h("p", {}, h("a", { href: `#/proposals/${p.id}` }, `← Proposition ${p.reference}`)),
    h("h1", {}, "Signature en présence du client"),
    h("p", { class: "muted" }, "Remettez la tablette au client : il lit la proposition, remplit le formulaire, " +
      "reçoit un code par SMS sur son mobile et le saisit ici. La session dure 30 minutes."),
    add(area, h("div", { class: "card stack" }, start, problem)));
}

function showForm(area, p, session, note = null) {
  const awaited = session.signers.filter((s) => !s.signed);
  const two = session.signers.length > 1;
  const form = h("form", { class: "card stack", novalidate: true, "aria-labelledby": "sign-title" },
    h("h2", { id: "sign-title" }, "Accepter et signer"),
    note ? h("p", { class: "notice", role: "status" }, note) : null,
    h("p", {}, `Proposition ${session.reference} (version ${session.version}) · `, h("strong", {}, `${money(session.ttc_cents)} TTC`)),
    h("p", {}, h("a", { href: session.document_url, target: "_blank", rel: "noopener" }, "Lire la proposition (PDF)")),
    h("div", { class: "form-error-slot" }),
    two ? h("fieldset", { "data-field": "signer" }, h("legend", {}, "Qui signe ?"),
      awaited.map((s, index) => h("div", { class: "check" },
        h("input", { type: "radio", id: `signer-${s.role}`, name: "signer", value: s.role, checked: index === 0 }),
        h("label", { for: `signer-${s.role}` }, `${s.name} (${s.label})`)))) : null,
    field("Prénom et nom du signataire", input("full_name", "", { autocomplete: "off", maxlength: 120 })),
    session.consent.iban && awaited.some((s) => s.role === "holder")
      ? field("IBAN du compte à prélever (titulaire)", input("iban", "", { autocomplete: "off", maxlength: 42 }),
        { hint: session.consent.iban }) : null,
    checkbox("terms", session.consent.terms, false),
    session.consent.no_claim ? checkbox("no_claim", session.consent.no_claim, false) : null,
    h("p", { class: "hint" }, "Un code à 6 chiffres part par SMS au mobile du signataire" +
      (awaited.length === 1 ? ` (${awaited[0].mobile_masked || "aucun mobile"})` : "") + "."),
    h("button", { type: "submit", class: "primary" }, "Recevoir le code par SMS"));
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const button = form.querySelector("button[type=submit]");
    busy(button, "Envoi du code…", async () => {
      const signer = form.querySelector("input[name=signer]:checked")?.value || "holder";
      try {
        const sent = await post(`/proposals/${p.id}/in-person/sign`, {
          session: session.session, signer, full_name: valueOf(form, "full_name"),
          terms: checked(form, "terms"), no_claim: session.consent.no_claim ? checked(form, "no_claim") : false,
          iban: form.querySelector("input[name=iban]") && signer === "holder" ? valueOf(form, "iban") : "",
        });
        showCode(area, p, session, sent);
      } catch (error) {
        showErrors(form, error);
      }
    });
  });
  clear(area, form);
  form.querySelector("input[name=full_name]").focus();
}

function showCode(area, p, session, signer) {
  const form = h("form", { class: "card stack", novalidate: true, "aria-labelledby": "code-title" },
    h("h2", { id: "code-title" }, `Code de sécurité de ${signer.name}`),
    h("p", {}, `Un code à 6 chiffres vient d'être envoyé par SMS au ${signer.mobile_masked}. Il est valable 10 minutes.`),
    h("div", { class: "form-error-slot" }),
    field("Code reçu par SMS", input("code", "", { inputmode: "numeric", autocomplete: "one-time-code", maxlength: 9, class: "code-input" }),
      { hint: `En validant ce code, ${signer.name} signe électroniquement la proposition ${session.reference}.` }),
    h("div", { class: "toolbar" },
      h("button", { type: "submit", class: "primary" }, "Valider et signer"),
      h("button", { type: "button", class: "secondary", "data-resend": "" }, "Renvoyer un code")));
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    busy(form.querySelector("button[type=submit]"), "Signature…", async () => {
      try {
        const state = await post(`/proposals/${p.id}/in-person/code`, {
          session: session.session, signer: signer.role, code: valueOf(form, "code"),
        });
        const next = { ...session, signers: state.signers };
        if (state.accepted) done(area, p, session);
        else showForm(area, p, next, `1 signature sur 2 : ${signer.name} a signé. Au tour de l'autre signataire.`);
      } catch (error) {
        showErrors(form, error);
      }
    });
  });
  form.querySelector("[data-resend]").addEventListener("click", (event) => busy(event.currentTarget, "Envoi…", async () => {
    try {
      await post(`/proposals/${p.id}/in-person/resend`, { session: session.session, signer: signer.role });
      toast("Un nouveau code a été envoyé par SMS.");
    } catch (error) {
      showErrors(form, error);
    }
  }));
  clear(area, form);
  form.querySelector("input[name=code]").focus();
}

function done(area, p, session) {
  clear(area, h("div", { class: "notice", role: "status" },
    h("h2", {}, "Proposition acceptée et signée"),
    h("p", {}, `La proposition ${session.reference} est signée (${when(new Date().toISOString())}). ` +
      "L'exemplaire signé part par e-mail à chaque signataire."),
    h("p", {}, h("a", { class: "button primary", href: `#/proposals/${p.id}` }, "Retour à la proposition"))));
}
