// Screens that stay current while they are open (SPEC K): every EVERY milliseconds while the tab is
// visible, the reads the screen was drawn from are asked again with If-None-Match. A 304 has no body;
// when one changed, the screen is drawn again in place (scroll kept), unless the seller is busy in it
// (a dialog, a field, unsaved changes): then it waits for the next tick. A hidden tab polls nothing
// and catches up as soon as it is shown again. "Mis à jour à 14:32" says when it was last known current.
import { changedSince } from "./api.js";
import { hasUnsavedChanges } from "./nav.js";
import { h } from "./ui.js";

export const EVERY = 15_000;
const TIME = new Intl.DateTimeFormat("fr-FR", { hour: "2-digit", minute: "2-digit" });

export function keepCurrent({ screen, reads, isCurrent, redraw }) {
  if (!reads.length) return;
  const stamp = h("p", { class: "updated muted small" });
  const stamped = (moment) => {
    stamp.replaceChildren("Mis à jour à ", h("time", { datetime: moment.toISOString() }, TIME.format(moment)));
  };
  stamped(new Date());
  place(screen, stamp);
  const stop = whileVisible(async () => {
    if (!isCurrent() || !document.body.contains(stamp)) return stop();
    const changed = (await Promise.all(reads.map(changedSince))).some(Boolean);
    if (!isCurrent()) return stop();
    if (!changed) return stamped(new Date());
    if (busy(screen)) return; // drawn again once the seller is done
    if (await redraw()) stop(); // the new drawing keeps itself current
  });
}

// Calls `tick` every EVERY milliseconds while the tab is visible, once as soon as it is shown again, never
// twice at once; returns what stops it. The screens above and the bell's count (bell.js) poll this way.
export function whileVisible(tick) {
  let running = false;
  const run = async () => {
    if (document.hidden || running) return;
    running = true;
    try {
      await tick();
    } finally {
      running = false;
    }
  };
  const timer = setInterval(run, EVERY);
  const shown = () => { if (!document.hidden) run(); };
  document.addEventListener("visibilitychange", shown);
  return () => {
    clearInterval(timer);
    document.removeEventListener("visibilitychange", shown);
  };
}

function busy(screen) {
  if (document.querySelector("dialog[open]") || hasUnsavedChanges()) return true;
  const focused = document.activeElement;
  return Boolean(focused && screen.contains(focused) && focused.matches("input, select, textarea"));
}

// Under the page title (its head, or the header section holding the h1).
function place(screen, stamp) {
  const title = screen.querySelector("h1");
  const holder = title?.closest(".page-head, .lead-title-row") || title;
  if (holder) holder.after(stamp);
  else screen.prepend(stamp);
}
