// Moving between screens: the router listens to hashchange.
export function go(hash) {
  if (location.hash === hash) window.dispatchEvent(new HashChangeEvent("hashchange"));
  else location.hash = hash;
}

export function reload() {
  window.dispatchEvent(new HashChangeEvent("hashchange"));
}
