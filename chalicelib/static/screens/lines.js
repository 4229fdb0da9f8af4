// The lines of a quote: an editor (vehicle, accessories, service contracts, insurance, fees;
// optional products; VAT) and the totals, computed here for display only. The server
// recomputes them on save and stays the source of truth; the rounding rule is the same:
// per line, VAT = HT × rate rounded half up to the cent; totals add the rounded lines.
import { get } from "../api.js";
import {
  FormProblem, checkbox, dialog, eurosInput, field, h, input, money, parseEuros, rate, select, textarea, valueOf,
} from "../ui.js";

export const KINDS = [
  ["vehicle", "Véhicule"], ["accessory", "Accessoire"], ["service_contract", "Contrat de service"],
  ["insurance", "Assurance"], ["fee", "Frais"],
];
const RATES = ["20", "10", "5.5", "2.1", "0"];
const KIND_LABEL = Object.fromEntries(KINDS);
const DEFAULT_RATE = { vehicle: "20", accessory: "20", service_contract: "20", insurance: "0", fee: "20" };

// --- totals ------------------------------------------------------------------------------------

function roundHalfUp(numerator, denominator) {
  const quotient = numerator / denominator;
  const remainder = numerator % denominator;
  return remainder * 2n >= denominator ? quotient + 1n : quotient;
}

export function lineTotals(line) {
  const ht = BigInt(line.quantity) * BigInt(line.unit_price_cents);
  const bp = BigInt(Math.round(Number(line.vat_rate) * 100));
  const vat = roundHalfUp(ht * bp, 10_000n);
  return { ht_cents: Number(ht), vat_cents: Number(vat), ttc_cents: Number(ht + vat), vat_rate_bp: Number(bp) };
}

export function totalsOf(lines) {
  const included = lines.filter((line) => !line.optional || line.chosen);
  const byRate = new Map();
  const totals = { ht_cents: 0, vat_cents: 0, ttc_cents: 0, margin_scheme_cents: 0, direct_debit_ttc_cents: 0, optional_ttc_cents: 0 };
  for (const line of lines) {
    const t = lineTotals(line);
    if (!included.includes(line)) {
      totals.optional_ttc_cents += t.ttc_cents;
      continue;
    }
    totals.ht_cents += t.ht_cents;
    totals.vat_cents += t.vat_cents;
    totals.ttc_cents += t.ttc_cents;
    if (line.payment === "direct_debit") totals.direct_debit_ttc_cents += t.ttc_cents;
    if (line.margin_scheme) {
      totals.margin_scheme_cents += t.ttc_cents;
      continue;
    }
    const entry = byRate.get(t.vat_rate_bp) || { vat_rate_bp: t.vat_rate_bp, base_cents: 0, vat_cents: 0 };
    entry.base_cents += t.ht_cents;
    entry.vat_cents += t.vat_cents;
    byRate.set(t.vat_rate_bp, entry);
  }
  totals.by_rate = [...byRate.values()].sort((a, b) => b.vat_rate_bp - a.vat_rate_bp);
  return totals;
}

export function totalsTable(totals, caption) {
  const rows = [
    ["Total HT", money(totals.ht_cents)],
    ...totals.by_rate.map((r) => [`TVA ${rate(r.vat_rate_bp / 100)} sur ${money(r.base_cents)}`, money(r.vat_cents)]),
    totals.margin_scheme_cents ? ["Véhicule sous TVA sur marge", money(totals.margin_scheme_cents)] : null,
    ["Total TVA", money(totals.vat_cents)],
  ].filter(Boolean);
  return h("table", { class: "totals" },
    h("caption", {}, caption),
    h("tbody", {},
      rows.map(([label, value]) => h("tr", {}, h("th", { scope: "row" }, label), h("td", {}, value))),
      h("tr", { class: "grand" }, h("th", { scope: "row" }, "Total TTC"), h("td", {}, money(totals.ttc_cents))),
      totals.direct_debit_ttc_cents ? h("tr", {}, h("th", { scope: "row" }, "dont payé par prélèvement"), h("td", {}, money(totals.direct_debit_ttc_cents))) : null,
      totals.optional_ttc_cents ? h("tr", {}, h("th", { scope: "row" }, "Options proposées non retenues"), h("td", {}, money(totals.optional_ttc_cents))) : null));
}

// --- the editor ----------------------------------------------------------------------------------

export function linesEditor(lines, { onChange } = {}) {
  const list = h("div", { class: "lines", "data-field": "lines" });
  const empty = h("p", { class: "empty-lines" }, "Aucune ligne : ajoutez d'abord le véhicule, puis les accessoires, contrats et frais.");
  const changed = () => {
    renumber();
    onChange?.();
  };
  const addButtons = h("div", { class: "add-lines", role: "group", "aria-label": "Ajouter une ligne" },
    h("span", { class: "muted" }, "Ajouter :"),
    KINDS.map(([kind, label]) => h("button", {
      type: "button", class: "secondary small",
      onclick: () => {
        const row = lineRow({ kind, label: "", quantity: 1, unit_price_cents: null, vat_rate: DEFAULT_RATE[kind] }, changed);
        list.append(row);
        changed();
        row.querySelector('input[name$=".label"]').focus();
      },
    }, label)));
  for (const line of lines) list.append(lineRow(line, changed));
  const element = h("div", { class: "lines-editor" }, empty, list, addButtons);

  function renumber() {
    const rows = [...list.children];
    empty.hidden = rows.length > 0;
    rows.forEach((row, index) => {
      const old = row.dataset.field;
      const next = `lines.${index}`;
      row.dataset.field = next;
      row.querySelector(".line-number").textContent = `Ligne ${index + 1}`;
      for (const node of row.querySelectorAll("[name], [data-field]")) {
        if (node.name?.startsWith(`${old}.`)) node.name = next + node.name.slice(old.length);
        if (node.dataset.field?.startsWith(`${old}.`)) node.dataset.field = next + node.dataset.field.slice(old.length);
      }
      row.querySelector(".move-up").disabled = index === 0;
      row.querySelector(".move-down").disabled = index === rows.length - 1;
    });
  }
  renumber();

  // The lines as the API takes them, or a FormProblem naming each field to fix.
  function read({ lenient = false } = {}) {
    const problems = {};
    const result = [...list.children].map((row, index) => readLine(row, `lines.${index}`, problems));
    if (Object.keys(problems).length && !lenient) throw new FormProblem(problems);
    return result;
  }

  // The lines that can be totalled now (for the live totals): unreadable amounts count as 0.
  function preview() {
    return read({ lenient: true }).map((line) => ({ ...line, unit_price_cents: line.unit_price_cents ?? 0 }));
  }

  return { element, read, preview };
}

function readLine(row, path, problems) {
  const value = (name) => row.querySelector(`[name="${path}.${name}"]`)?.value ?? "";
  const isChecked = (name) => Boolean(row.querySelector(`[name="${path}.${name}"]`)?.checked);
  const kind = value("kind");
  const price = parseEuros(value("unit_price_cents"));
  const quantity = Number(value("quantity"));
  if (price === null) problems[`${path}.unit_price_cents`] = "Prix HT en euros attendu, par exemple 15 825,00.";
  if (!Number.isInteger(quantity) || quantity < 1) problems[`${path}.quantity`] = "Quantité entière, 1 au moins.";
  const line = {
    kind,
    label: value("label").trim(),
    description: value("description").trim() || null,
    quantity: Number.isInteger(quantity) && quantity > 0 ? quantity : 1,
    unit_price_cents: price,
    vat_rate: Number(value("vat_rate")),
    optional: isChecked("optional"),
    chosen: isChecked("optional") && isChecked("chosen"),
    payment: ["service_contract", "insurance"].includes(kind) ? value("payment") || "with_order" : "with_order",
    margin_scheme: kind === "vehicle" && isChecked("margin_scheme"),
  };
  if (kind === "vehicle" && value("vehicle_id")) line.vehicle_id = value("vehicle_id");
  if (kind === "vehicle") {
    const make = value("vehicle.make").trim();
    const model = value("vehicle.model").trim();
    const mileage = value("vehicle.mileage_km").replace(/\s/g, "");
    if (make || model) {
      line.vehicle = {
        make, model,
        version: value("vehicle.version").trim() || null,
        vin: value("vehicle.vin").trim().toUpperCase() || null,
        registration: value("vehicle.registration").trim().toUpperCase() || null,
        first_registration: value("vehicle.first_registration") || null,
        mileage_km: mileage ? Number(mileage) : null,
        used: isChecked("vehicle.used"),
      };
      if (mileage && !/^\d+$/.test(mileage)) problems[`${path}.vehicle.mileage_km`] = "Nombre de kilomètres attendu.";
    }
  }
  return line;
}

let rowCount = 0;

function lineRow(line, changed) {
  const id = `line-${++rowCount}`;
  const row = h("div", { class: "line", "data-field": "lines.new", role: "group", "aria-labelledby": `${id}-number ${id}-kind` });
  const path = "lines.new";
  const kindSelect = select(`${path}.kind`, KINDS, line.kind);
  const rates = RATES.includes(String(line.vat_rate)) ? RATES : [...RATES, String(line.vat_rate)];
  const vatSelect = select(`${path}.vat_rate`, rates.map((r) => [r, rate(r)]), String(line.vat_rate));
  const total = h("output", { class: "line-total", "aria-live": "off" });
  const optional = checkbox(`${path}.optional`, "Option", line.optional);
  const chosen = checkbox(`${path}.chosen`, "Retenue par le client", line.chosen);
  const payment = field("Paiement", select(`${path}.payment`, [["with_order", "Avec la commande"], ["direct_debit", "Prélèvement mensuel"]], line.payment || "with_order"));
  const margin = checkbox(`${path}.margin_scheme`, "TVA sur marge (occasion)", line.margin_scheme);
  const vehicle = line.vehicle || {};
  const vehicleBox = h("fieldset", { class: "vehicle", "data-field": `${path}.vehicle` },
    h("legend", {}, "Véhicule"),
    h("div", { class: "grid-4" },
      field("Marque", input(`${path}.vehicle.make`, vehicle.make, { maxlength: 40 })),
      field("Modèle", input(`${path}.vehicle.model`, vehicle.model, { maxlength: 60 })),
      field("Version", input(`${path}.vehicle.version`, vehicle.version, { maxlength: 120 })),
      field("VIN", input(`${path}.vehicle.vin`, vehicle.vin, { maxlength: 17, autocapitalize: "characters" })),
      field("Immatriculation", input(`${path}.vehicle.registration`, vehicle.registration, { maxlength: 12 })),
      field("Kilométrage", input(`${path}.vehicle.mileage_km`, vehicle.mileage_km, { inputmode: "numeric" })),
      field("1re mise en circulation", input(`${path}.vehicle.first_registration`, vehicle.first_registration, { type: "date" })),
      checkbox(`${path}.vehicle.used`, "Occasion", vehicle.used ?? true)));
  // A car of the stock: the server takes its details from the stock (the fields show them).
  const stockId = input(`${path}.vehicle_id`, line.vehicle_id || "", { type: "hidden" });
  const stockState = h("p", { class: "muted small", "aria-live": "polite" });
  const showStock = () => {
    stockState.textContent = stockId.value ? "Véhicule du stock : ses caractéristiques viennent du stock." : "";
    detach.hidden = !stockId.value;
  };
  const detach = h("button", { type: "button", class: "link-button", onclick: () => {
    stockId.value = "";
    showStock();
    changed();
  } }, "Saisie libre");
  vehicleBox.append(stockId, h("div", { class: "stock-pick" },
    h("button", { type: "button", class: "secondary small", onclick: () => pickFromStock((car) => {
      const set = (name, value) => { row.querySelector(`[name$=".vehicle.${name}"]`).value = value ?? ""; };
      for (const name of ["make", "model", "version", "vin", "registration", "first_registration", "mileage_km"]) set(name, car[name]);
      row.querySelector('[name$=".vehicle.used"]').checked = car.kind === "used";
      const label = row.querySelector('[name$=".label"]');
      if (!label.value.trim()) label.value = [car.make, car.model, car.version].filter(Boolean).join(" ");
      stockId.value = car.id;
      showStock();
      sync();
      changed();
    }) }, "Choisir dans le stock"), detach, stockState));
  showStock();
  const move = (step) => {
    const sibling = step < 0 ? row.previousElementSibling : row.nextElementSibling;
    if (!sibling) return;
    if (step < 0) sibling.before(row);
    else sibling.after(row);
    changed();
    row.querySelector(step < 0 ? ".move-up" : ".move-down").focus();
  };
  row.append(
    h("div", { class: "line-head" },
      h("span", { class: "line-number", id: `${id}-number` }, "Ligne"),
      h("span", { class: "line-kind", id: `${id}-kind` }, KIND_LABEL[line.kind]),
      h("div", { class: "line-tools" },
        h("button", { type: "button", class: "icon-button move-up", "aria-label": "Monter la ligne", onclick: () => move(-1) }, "↑"),
        h("button", { type: "button", class: "icon-button move-down", "aria-label": "Descendre la ligne", onclick: () => move(1) }, "↓"),
        h("button", { type: "button", class: "link-button danger-text", onclick: () => { row.remove(); changed(); } }, "Supprimer"))),
    h("div", { class: "line-main" },
      field("Type", kindSelect, { className: "f-kind" }),
      field("Libellé", input(`${path}.label`, line.label, { maxlength: 200 }), { className: "f-label" }),
      field("Qté", input(`${path}.quantity`, line.quantity ?? 1, { inputmode: "numeric", class: "num" }), { className: "f-qty" }),
      field("Prix unitaire HT (€)", input(`${path}.unit_price_cents`, eurosInput(line.unit_price_cents), { inputmode: "decimal", class: "num" }), { className: "f-price" }),
      field("TVA", vatSelect, { className: "f-vat" }),
      h("div", { class: "field f-total" }, h("span", { class: "label" }, "Total TTC"), total)),
    h("div", { class: "line-options" }, optional, chosen, payment, margin),
    vehicleBox,
    h("details", { class: "line-description", open: Boolean(line.description) },
      h("summary", {}, "Description"),
      field("Texte imprimé sous la désignation", textarea(`${path}.description`, line.description, { rows: 2, maxlength: 1000 }))));

  const sync = () => {
    const kind = kindSelect.value;
    row.querySelector(".line-kind").textContent = KIND_LABEL[kind];
    row.classList.toggle("is-optional", optional.querySelector("input").checked);
    chosen.hidden = !optional.querySelector("input").checked;
    payment.hidden = !["service_contract", "insurance"].includes(kind);
    margin.hidden = kind !== "vehicle";
    vehicleBox.hidden = kind !== "vehicle";
    if (margin.querySelector("input").checked && kind === "vehicle") vatSelect.value = "0";
    const price = parseEuros(row.querySelector('[name$=".unit_price_cents"]').value);
    const quantity = Number(row.querySelector('[name$=".quantity"]').value);
    total.textContent = price === null || !Number.isInteger(quantity) || quantity < 1
      ? "—" : money(lineTotals({ quantity, unit_price_cents: price, vat_rate: vatSelect.value }).ttc_cents);
  };
  row.addEventListener("input", () => { sync(); changed(); });
  row.addEventListener("change", () => { sync(); changed(); });
  sync();
  return row;
}

// "Choisir dans le stock": the dealer's available vehicles, searched by VIN, make, model or plate.
function pickFromStock(choose) {
  let cars = [];
  const box = dialog({
    title: "Choisir un véhicule du stock", submitLabel: "Choisir", wide: true,
    build: async (form) => {
      const page = await get("/vehicles?status=available&limit=100");
      cars = page.items;
      const options = cars.map((c) => [c.id, `${c.make} ${c.model}${c.version ? ` ${c.version}` : ""} · ${c.registration || c.vin} · ${money(c.price_cents)} TTC`]);
      form.append(cars.length
        ? field("Véhicule disponible", select("vehicle_id", options, options[0][0]))
        : h("p", { class: "empty" }, "Aucun véhicule disponible dans le stock."));
    },
    submit: (form) => {
      const car = cars.find((c) => c.id === valueOf(form, "vehicle_id"));
      if (car) choose(car);
    },
  });
  return box;
}
