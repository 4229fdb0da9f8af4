// The bell of the top bar: a link to the notices (#/notifications) with the unread count, read again
// on every screen change and when a notice is read (GET /me/notifications?limit=1 reads the count), and
// kept current while the front is visible: polled with If-None-Match as the live screens (live.js), a
// 304 without a body while nothing changed.
import { changedSince, getTagged } from "./api.js";
import { session } from "./auth.js";
import { whileVisible } from "./live.js";
import { h } from "./ui.js";

const COUNT = "/me/notifications?limit=1";
let link = null;
let known = null; // the count's last read, { path, etag }
let polling = false;

export function bellLink() {
  link = h("a", { class: "bell", href: "#/notifications", "aria-label": "Notifications", dataset: { key: "notifications" } },
    icon(), h("span", { class: "bell-count", hidden: true }));
  return link;
}

// A bell outline, drawn here (no image to request).
function icon() {
  const ns = "http://www.w3.org/2000/svg";
  const svg = document.createElementNS(ns, "svg");
  const attributes = { "aria-hidden": "true", viewBox: "0 0 24 24", width: "22", height: "22", fill: "none",
    stroke: "currentColor", "stroke-width": "2", "stroke-linecap": "round", "stroke-linejoin": "round" };
  for (const [name, value] of Object.entries(attributes)) svg.setAttribute(name, value);
  for (const d of ["M6 8a6 6 0 0 1 12 0c0 7 3 9 3 9H3s3-2 3-9", "M10.3 21a1.94 1.94 0 0 0 3.4 0"]) {
    const path = document.createElementNS(ns, "path");
    path.setAttribute("d", d);
    svg.append(path);
  }
  return svg;
}

export async function refreshBell() {
  if (!link) return;
  let unread;
  try {
    const answer = await getTagged(COUNT);
    known = answer.etag ? { path: COUNT, etag: answer.etag } : null;
    unread = answer.payload.unread;
  } catch {
    return; // the bell waits for the next screen or tick; the screen itself says what failed
  }
  if (!polling) {
    polling = true;
    // For the page's life: logged out (no token) it asks nothing; the next login's top bar reuses it.
    whileVisible(async () => {
      if (session.token() && known && await changedSince(known)) await refreshBell();
    });
  }
  const count = link.querySelector(".bell-count");
  const shown = unread > 99 ? "99+" : String(unread);
  count.textContent = shown;
  count.hidden = unread === 0;
  link.setAttribute("aria-label", unread ? `Notifications, ${shown} non lue${unread > 1 ? "s" : ""}` : "Notifications, aucune non lue");
}
