// Login: the local issuer's email form in development, Cognito's hosted UI in production.
import { post } from "../api.js";
import { cognitoLoginUrl, localLogin, session } from "../auth.js";
import { forget, loginConfig } from "../context.js";
import { go } from "../nav.js";
import { add, clear, field, h, input, onSubmit, valueOf } from "../ui.js";

export async function render({ main }) {
  const config = await loginConfig();
  const problem = sessionStorage.getItem("offerline.loginError");
  sessionStorage.removeItem("offerline.loginError");
  const card = h("section", { class: "login-card" },
    h("div", { class: "login-brand" }, h("img", { src: "app/icon.svg", alt: "", width: 40, height: 40 }), h("span", {}, "Offerline")),
    h("h1", {}, "Connexion vendeur"),
    problem ? h("div", { class: "notice notice-error", role: "alert" }, problem) : null);
  if (config.login === "local") card.append(...localForm());
  else card.append(...cognitoButton(config));
  add(main, h("div", { class: "login" }, card));
}

function localForm() {
  const form = h("form", { class: "stack", novalidate: true },
    h("div", { class: "form-error-slot" }),
    field("Adresse e-mail", input("email", "", { type: "email", autocomplete: "username", required: true }),
      { hint: "Environnement de développement : l'émetteur local délivre le jeton, sans mot de passe." }),
    h("button", { type: "submit", class: "primary wide" }, "Se connecter"));
  onSubmit(form, "Connexion…", async () => {
    await localLogin(valueOf(form, "email").trim(), (path, body) => post(path, body));
    forget();
    const back = sessionStorage.getItem("offerline.back");
    sessionStorage.removeItem("offerline.back");
    go(back && back !== "#/login" ? back : "#/leads");
  });
  return [h("p", { class: "muted" }, "Saisissez l'e-mail d'un utilisateur de démonstration."), form];
}

function cognitoButton(config) {
  if (!config.hosted_ui_url || !config.client_id) {
    return [h("div", { class: "notice notice-error", role: "alert" },
      "La connexion n'est pas configurée (Cognito) : contactez l'administrateur d'Offerline.")];
  }
  const label = "Se connecter avec le compte de la concession";
  const button = h("button", { type: "button", class: "primary wide" }, label);
  const problem = h("div", { class: "form-error-slot" });
  button.addEventListener("click", async () => {
    session.clear();
    button.disabled = true;
    button.textContent = "Redirection…";
    clear(problem);
    try {
      location.assign(await cognitoLoginUrl(config));
    } catch (error) {
      button.disabled = false;
      button.textContent = label;
      add(problem, h("div", { class: "notice notice-error", role: "alert" }, error.message));
    }
  });
  return [h("p", { class: "muted" }, "Vous allez être redirigé vers la page de connexion sécurisée, puis revenir ici."), problem, button];
}
