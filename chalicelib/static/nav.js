// Moving between screens: the router listens to hashchange.
export function go(hash) {
  if (location.hash === hash) window.dispatchEvent(new HashChangeEvent("hashchange"));
  else location.hash = hash;
}

export function reload() {
  window.dispatchEvent(new HashChangeEvent("hashchange"));
}

// A screen with unsaved changes asks before the seller leaves it (another screen, reload, close).
let leaveGuard = null;

export function guardLeaving(isDirty) {
  leaveGuard = isDirty;
}

export function hasUnsavedChanges() {
  return Boolean(leaveGuard && leaveGuard());
}

export function mayLeave() {
  if (!leaveGuard || !leaveGuard()) return true;
  return window.confirm("Des modifications ne sont pas enregistrées. Quitter cette page quand même ?");
}

window.addEventListener("beforeunload", (event) => {
  if (leaveGuard && leaveGuard()) event.preventDefault();
});
