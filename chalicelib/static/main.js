// The seller front: login, the shell (top bar and navigation) and a hash router
// (#/leads, #/leads/<id>, #/quotes/<id>, #/proposals, #/orders/<id>, #/settings/…). Each screen module
// exports render({main, params, query}) and fills `main` itself.
import { ApiError, recordReads, takeReads, whenUnauthorized } from "./api.js";
import { keepCurrent } from "./live.js";
import { go, guardLeaving, mayLeave, reload } from "./nav.js";
import { cognitoLogoutUrl, isCognitoAnswer, session, takeCognitoAnswer } from "./auth.js";
import { context, forget, loginConfig, ROLES } from "./context.js";
import { clear, errorState, h, loading, toast } from "./ui.js";
import { bellLink, refreshBell } from "./bell.js";
import * as login from "./screens/login.js";
import * as leads from "./screens/leads.js";
import * as lead from "./screens/lead.js";
import * as newLead from "./screens/new-lead.js";
import * as quotes from "./screens/quotes.js";
import * as quote from "./screens/quote.js";
import * as proposals from "./screens/proposals.js";
import * as proposal from "./screens/proposal.js";
import * as inPerson from "./screens/in-person.js";
import * as orders from "./screens/orders.js";
import * as order from "./screens/order.js";
import * as tasks from "./screens/tasks.js";
import * as invoices from "./screens/invoices.js";
import * as settings from "./screens/settings.js";
import * as vehicles from "./screens/vehicles.js";
import * as vehicle from "./screens/vehicle.js";
import * as account from "./screens/account.js";
import * as notifications from "./screens/notifications.js";
import * as dashboard from "./screens/dashboard.js";

const ROUTES = [
  [/^\/login$/, login, { public: true }],
  [/^\/leads$/, leads, { nav: "leads", live: true }],
  [/^\/leads\/new$/, newLead, { nav: "leads" }],
  [/^\/leads\/([0-9A-Za-z]+)$/, lead, { nav: "leads", live: true }],
  [/^\/quotes$/, quotes, { nav: "quotes" }],
  [/^\/quotes\/([0-9A-Za-z]+)$/, quote, { nav: "quotes" }],
  [/^\/accounts\/([0-9A-Za-z]+)$/, account, { nav: "quotes" }],
  [/^\/proposals$/, proposals, { nav: "proposals", live: true }],
  [/^\/proposals\/([0-9A-Za-z]+)$/, proposal, { nav: "proposals", live: true }],
  [/^\/proposals\/([0-9A-Za-z]+)\/signature$/, inPerson, { nav: "proposals" }],
  [/^\/vehicles$/, vehicles, { nav: "vehicles" }],
  [/^\/vehicles\/([0-9A-Za-z]+)$/, vehicle, { nav: "vehicles" }],
  [/^\/tasks$/, tasks, { nav: "tasks" }],
  [/^\/orders$/, orders, { nav: "orders", live: true }],
  [/^\/orders\/([0-9A-Za-z]+)$/, order, { nav: "orders", live: true }],
  [/^\/invoices$/, invoices, { nav: "invoices" }],
  [/^\/invoices\/([0-9A-Za-z]+)$/, invoices, { nav: "invoices" }],
  [/^\/settings(?:\/([a-z-]+))?$/, settings, { nav: "settings" }],
  [/^\/notifications$/, notifications, { nav: "notifications" }],
  [/^\/dashboard$/, dashboard, { nav: "dashboard" }],
];

const NAV = [
  ["leads", "#/leads", "Leads"],
  ["quotes", "#/quotes", "Devis"],
  ["proposals", "#/proposals", "Propositions"],
  ["vehicles", "#/vehicles", "Stock"],
  ["orders", "#/orders", "Commandes"],
  ["invoices", "#/invoices", "Factures"],
  ["tasks", "#/tasks", "Tâches"],
  ["dashboard", "#/dashboard", "Tableau de bord", dashboard.mayRead],
  ["settings", "#/settings", "Paramètres"],
];

const main = document.getElementById("main");
const topbar = document.getElementById("topbar");
let shown = 0;


function parse() {
  const [path, search = ""] = location.hash.replace(/^#/, "").split("?");
  return { path: path || "/", query: Object.fromEntries(new URLSearchParams(search)) };
}

let current = null;

async function route() {
  if (location.hash && !location.hash.startsWith("#/")) return; // in-page anchors (skip link)
  if (current !== null && location.hash !== current && !mayLeave()) {
    history.replaceState(null, "", current); // stay, with the URL of the screen still shown
    return;
  }
  current = location.hash;
  guardLeaving(null);
  const { path, query } = parse();
  const found = ROUTES.map(([pattern, screen, options]) => [path.match(pattern), screen, options]).find(([m]) => m);
  if (!found) {
    go(session.token() ? "#/leads" : "#/login");
    return;
  }
  const [match, screen, options] = found;
  if (options.public && session.token()) {
    go("#/leads"); // already logged in
    return;
  }
  if (!options.public && !session.token()) {
    sessionStorage.setItem("offerline.back", location.hash);
    go("#/login");
    return;
  }
  const mine = ++shown;
  closeDialogs();
  main.setAttribute("aria-busy", "true");
  clear(main, loading());
  try {
    if (options.public) topbar.hidden = true;
    else await shell(options.nav);
    if (mine !== shown) return;
    const screen_main = h("div", { class: "screen" });
    const isCurrent = () => mine === shown;
    recordReads();
    await screen.render({ main: screen_main, params: match.slice(1), query, isCurrent });
    const reads = takeReads();
    if (mine !== shown) return;
    clear(main, screen_main);
    if (options.live) live(screen, match, screen_main, reads, isCurrent);
    main.removeAttribute("aria-busy");
    const title = main.querySelector("h1");
    document.title = title ? `${title.textContent} — Offerline` : "Offerline";
    (title || main).setAttribute("tabindex", "-1");
    (title || main).focus({ preventScroll: true });
    window.scrollTo(0, 0);
  } catch (error) {
    takeReads();
    if (mine !== shown) return;
    main.removeAttribute("aria-busy");
    if (!(error instanceof ApiError)) console.error(error);
    const shown_error = error instanceof ApiError ? error : new Error("Erreur inattendue dans la page : rechargez-la ; si elle persiste, prévenez le support.");
    clear(main, h("h1", {}, "Impossible d'afficher cette page"), errorState(shown_error, route));
  }
}

// A screen kept current (live.js): drawn again in place when what it read changed.
function live(screen, match, drawn, reads, isCurrent) {
  keepCurrent({
    screen: drawn, reads, isCurrent,
    redraw: async () => {
      const fresh = h("div", { class: "screen" });
      recordReads();
      try {
        await screen.render({ main: fresh, params: match.slice(1), query: parse().query, isCurrent });
      } catch {
        takeReads();
        return false; // what is shown stays; the next tick tries again
      }
      const again = takeReads();
      if (!isCurrent()) return true;
      const scrolled = window.scrollY;
      clear(main, fresh);
      window.scrollTo(0, scrolled);
      live(screen, match, fresh, again, isCurrent);
      return true;
    },
  });
}

function closeDialogs() {
  document.querySelectorAll("dialog[open]").forEach((open) => open.close());
}

// The top bar, drawn once per login; each screen only moves the "current page" mark.
async function shell(active) {
  const { me } = await context();
  const user = session.user();
  const who = `${user?.id}:${me?.name}`;
  if (topbar.dataset.who !== who) {
    topbar.dataset.who = who;
    clear(topbar,
      h("a", { class: "brand", href: "#/leads" }, h("img", { src: "app/icon.svg", alt: "", width: 28, height: 28 }), "Offerline"),
      h("nav", { "aria-label": "Navigation principale", onclick: again },
        h("ul", {}, NAV.filter(([, , , may]) => !may || may())
          .map(([key, href, label]) => h("li", {}, h("a", { href, dataset: { key } }, label))))),
      h("div", { class: "who" },
        bellLink(),
        h("span", { class: "who-name" }, me?.name || user?.name || user?.email || ""),
        h("span", { class: "who-role" }, ROLES[user?.role] || ""),
        h("button", { type: "button", class: "secondary small", onclick: logout }, "Se déconnecter")));
  }
  refreshBell();
  for (const link of topbar.querySelectorAll("nav a, a.bell")) {
    if (link.dataset.key === active) link.setAttribute("aria-current", "page");
    else link.removeAttribute("aria-current");
  }
  topbar.hidden = false;
}

// A link to the screen already shown changes no hash: read the screen again (current statuses and counts).
function again(event) {
  const link = event.target.closest("a[href]");
  if (link && link.getAttribute("href") === location.hash) {
    event.preventDefault();
    reload();
  }
}

async function logout() {
  session.clear();
  delete topbar.dataset.who;
  forget();
  const config = await loginConfig();
  const away = config.login === "cognito" ? cognitoLogoutUrl(config) : null;
  if (away) location.assign(away);
  else go("#/login");
}

whenUnauthorized(() => {
  if (!session.token() || parse().path === "/login") return;
  session.clear();
  forget();
  delete topbar.dataset.who;
  toast("Votre session a expiré : reconnectez-vous.", "error");
  sessionStorage.setItem("offerline.back", location.hash);
  go("#/login");
});

async function start() {
  // Back from Cognito's hosted UI (?code=…&state=…): the code is exchanged before any screen shows.
  const answer = isCognitoAnswer()
    ? await loginConfig().then(takeCognitoAnswer).catch((error) => {
      console.error(error);
      return { ok: false, error: "La connexion n'a pas pu aboutir : rechargez la page, puis recommencez la connexion." };
    })
    : null;
  window.addEventListener("hashchange", route);
  if (answer && !answer.ok) sessionStorage.setItem("offerline.loginError", answer.error);
  const wanted = answer?.ok ? answer.back || "#/leads"
    : answer ? "#/login"
      : !location.hash || location.hash === "#" ? (session.token() ? "#/leads" : "#/login") : null;
  if (wanted) go(wanted);
  else route();
}

start();
