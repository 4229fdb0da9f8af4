// The seller's notices (the bell): what they were also told by email or SMS, newest first, unread in bold;
// opening one marks it read and goes to its proposal, lead or order. GET /me/notifications, POST …/read.
import { get, post, query } from "../api.js";
import { refreshBell } from "../bell.js";
import { go } from "../nav.js";
import { add, busy, emptyState, h, moreRows, toast, when } from "../ui.js";

const PAGE = 25;
const KINDS = {
  viewed: "Consultation", downloaded: "Téléchargement", question: "Question", signed: "Signature",
  partly_signed: "Signature 1 sur 2", paid: "Acompte payé",
  balance_paid: "Solde payé",
  declined: "Refus", expired: "Expiration", lead_deadline: "Échéance de lead", payment_anomaly: "Paiement à régulariser",
  order_milestone: "Étape de commande", customer_withdrawal: "Rétractation", options: "Options modifiées",
};

export async function render({ main }) {
  const first = await get(`/me/notifications${query({ limit: PAGE })}`);
  const allRead = h("button", { type: "button", class: "secondary", disabled: first.unread === 0 }, "Tout marquer comme lu");
  add(main, h("div", { class: "page-head" }, h("h1", {}, "Notifications"), allRead));
  const status = h("p", { class: "muted", role: "status" }, unreadText(first.unread));
  add(main, status);
  if (!first.items.length) {
    add(main, emptyState("Aucune notification.",
      "Les consultations, questions, signatures et paiements de vos clients, et vos alertes, s'afficheront ici."));
    return;
  }
  const list = h("ul", { class: "notices" });
  allRead.addEventListener("click", () => busy(allRead, "…", async () => {
    await post("/me/notifications/read-all");
    list.querySelectorAll(".notice-item.unread").forEach(markShownRead);
    status.textContent = unreadText(0);
    allRead.disabled = true;
    toast("Toutes les notifications sont lues.");
    refreshBell();
  }));
  add(main, list, moreRows(list, first, {
    row: item, next: (cursor) => get(`/me/notifications${query({ limit: PAGE, cursor })}`),
    allShown: "Toutes les notifications des 90 derniers jours sont affichées.",
  }));
}

function unreadText(unread) {
  if (!unread) return "Tout est lu.";
  return unread > 99 ? "Plus de 99 non lues." : `${unread} non lue${unread > 1 ? "s" : ""}.`;
}

function item(notice) {
  const open = h("a", { href: notice.link, class: "strong" }, notice.text);
  const element = h("li", { class: ["notice-item", !notice.read && "unread"], dataset: { id: notice.id } },
    h("div", {},
      h("span", { class: "notice-kind" }, KINDS[notice.kind] || "Alerte"),
      notice.read ? null : h("span", { class: "visually-hidden" }, " (non lue)"),
      " · ", h("span", { class: "muted small" }, when(notice.created_at))),
    h("div", {}, open));
  open.addEventListener("click", async (event) => {
    if (notice.read) return;
    event.preventDefault();
    await post(`/me/notifications/${notice.id}/read`).catch(() => null); // reading it matters less than going
    go(notice.link);
  });
  if (!notice.read) {
    const read = h("button", { type: "button", class: "secondary small" }, "Marquer comme lue");
    read.addEventListener("click", () => busy(read, "…", async () => {
      await post(`/me/notifications/${notice.id}/read`);
      notice.read = true;
      markShownRead(element);
      refreshBell();
    }));
    add(element, read);
  }
  return element;
}

function markShownRead(element) {
  element.classList.remove("unread");
  element.querySelector(".visually-hidden")?.remove();
  element.querySelector("button")?.remove();
}
