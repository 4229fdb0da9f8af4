// Tasks and documents kept on a quote or a proposal (tasks only on an order), seed 003: a panel the
// record's screen adds. Tasks: title, due time, assignee, done once. Documents: title + file, sent
// straight to S3 (presigned POST), kept only if the server reads a PDF, a JPEG or a PNG of 10 Mo at most.
import { get, patch, post, del } from "../api.js";
import { context, userName } from "../context.js";
import { uploadDocument } from "../upload.js";
import {
  FormProblem, add, busy, checkbox, clear, confirmDialog, countdown, dialog, field, fromLocalInput, h, input, onSubmit,
  openUrlOrLink, select, toast, valueOf, when,
} from "../ui.js";

const EVENTS = {
  task_created: "Tâche créée", task_completed: "Tâche terminée", document_added: "Document ajouté",
  document_renamed: "Document renommé", document_deleted: "Document supprimé",
};
const PATHS = { quote: "quotes", proposal: "proposals", order: "orders" };

// `kind`: quote, proposal or order. Returns the panel, filled once the work is read.
export function workPanel(kind, recordId) {
  const base = `/${PATHS[kind]}/${recordId}`;
  const panel = h("section", { class: "card record-work", "aria-labelledby": `work-${recordId}` },
    h("h2", { id: `work-${recordId}` }, kind === "order" ? "Tâches" : "Tâches et documents"));
  const body = h("div", {});
  panel.append(body);
  async function refresh() {
    const [work, { users }] = await Promise.all([get(`${base}/work`), context()]);
    clear(body, tasksPart(work, users), kind === "order" ? null : documentsPart(work), historyPart(work, users));
  }
  function tasksPart(work, users) {
    const addButton = h("button", { type: "button", class: "secondary" }, "Ajouter une tâche");
    addButton.addEventListener("click", () => dialog({
      title: "Nouvelle tâche",
      build: (form) => add(form,
        field("Titre", input("title", "", { maxlength: 120, required: true })),
        field("Échéance", input("due_at", "", { type: "datetime-local", required: true })),
        field("Assignée à", select("assignee_id", [["", "Le vendeur du dossier"],
          ...users.filter((u) => u.active).map((u) => [u.id, u.name])], ""))),
      submit: async (form) => {
        const dueAt = fromLocalInput(valueOf(form, "due_at"));
        if (!dueAt) throw new FormProblem({ due_at: "Choisissez une date et une heure." });
        await post(`${base}/tasks`, {
          title: valueOf(form, "title").trim(), due_at: dueAt, assignee_id: valueOf(form, "assignee_id") || null,
        });
        toast("Tâche ajoutée.");
        await refresh();
      },
    }));
    const rows = work.tasks.map((task) => {
      const open = task.status === "open";
      const late = open && new Date(task.due_at) < new Date();
      const done = open ? h("button", { type: "button", class: "secondary small" }, "Terminer") : null;
      done?.addEventListener("click", () => busy(done, "…", async () => {
        await post(`${base}/tasks/${task.id}/complete`);
        toast("Tâche terminée.");
        await refresh();
      }));
      return h("li", { class: ["work-task", !open && "done", late && "overdue"] },
        h("span", { class: "strong" }, task.title), " · ", task.assignee.name, " · ",
        open ? h("span", { class: late ? "late" : "muted" }, `${when(task.due_at)} (${countdown(task.due_at).text})`)
          : h("span", { class: "muted" }, `terminée le ${when(task.completed_at)}`),
        done ? [" ", done] : null);
    });
    return h("div", { class: "work-tasks" },
      h("h3", {}, "Tâches"),
      rows.length ? h("ul", { class: "plain-list" }, rows) : h("p", { class: "muted" }, "Aucune tâche."),
      addButton);
  }
  function documentsPart(work) {
    const form = h("form", { class: "work-upload", novalidate: true },
      h("div", { class: "form-error-slot" }),
      field("Titre du document", input("title", "", { maxlength: 120, required: true })),
      field("Fichier (PDF, JPEG ou PNG, 10 Mo au plus)", input("file", "", { type: "file", accept: ".pdf,.jpg,.jpeg,.png" })),
      h("button", { type: "submit", class: "secondary" }, "Ajouter le document"));
    onSubmit(form, "Envoi…", async () => {
      await upload(base, form);
      toast("Document ajouté.");
      await refresh();
    });
    const rows = work.documents.map((doc) => documentRow(doc));
    return h("div", { class: "work-documents" },
      h("h3", {}, "Documents"),
      rows.length ? h("ul", { class: "plain-list" }, rows) : h("p", { class: "muted" }, "Aucun document."),
      form);
  }
  function documentRow(doc) {
    const ready = doc.status === "ready";
    const actions = h("span", { class: "row-actions" });
    const download = h("button", { type: "button", class: "secondary small" }, "Télécharger");
    download.addEventListener("click", () => busy(download, "…", async () => {
      const link = await get(`${base}/documents/${doc.id}/download`);
      openUrlOrLink(actions, link.url, doc.title);
    }));
    const rename = h("button", { type: "button", class: "secondary small" }, "Renommer");
    rename.addEventListener("click", () => dialog({
      title: "Renommer le document",
      build: (form) => add(form, field("Titre", input("title", doc.title, { maxlength: 120 }))),
      submit: async (form) => {
        await patch(`${base}/documents/${doc.id}`, { title: valueOf(form, "title").trim() });
        await refresh();
      },
    }));
    const remove = h("button", { type: "button", class: "secondary small danger" }, "Supprimer");
    remove.addEventListener("click", () => confirmDialog({
      title: "Supprimer le document", text: `« ${doc.title} » sera supprimé.`, confirmLabel: "Supprimer",
      busyLabel: "Suppression…", danger: true,
      action: async () => {
        await del(`${base}/documents/${doc.id}`);
        toast("Document supprimé.");
        await refresh();
      },
    }));
    const toSend = kind === "proposal" && ready
      ? checkbox(`to_send-${doc.id}`, "Joindre à l'e-mail de la proposition", doc.to_send) : null;
    toSend?.querySelector("input").addEventListener("change", async (event) => {
      await patch(`${base}/documents/${doc.id}`, { to_send: event.target.checked });
      toast(event.target.checked ? "Sera joint à l'envoi." : "Ne sera pas joint.");
    });
    add(actions, ready ? [download, " "] : null, rename, " ", remove);
    return h("li", { class: "work-document" },
      h("span", { class: "strong" }, doc.title), " ", h("span", { class: "muted small" }, doc.filename),
      ready ? null : h("span", { class: "muted small" }, " (fichier non reçu)"), " ", actions, toSend);
  }
  function historyPart(work, users) {
    if (!work.history.length) return null;
    return h("div", { class: "work-history" },
      h("h3", {}, "Historique du devis"),
      h("ol", { class: "plain-list" }, work.history.slice().reverse().map((event) => h("li", {},
        h("span", { class: "muted small" }, when(event.at)), " ", EVENTS[event.kind] || event.kind,
        event.details.title ? ` : ${event.details.title}` : "", " · ", userName(users, event.by)))));
  }
  refresh().catch((error) => clear(body, h("p", { class: "notice notice-error", role: "alert" }, error.message)));
  return panel;
}

// A title is this panel's own field; the rest is upload.js's.
async function upload(base, form) {
  const title = valueOf(form, "title").trim();
  if (!title) throw new FormProblem({ title: "Donnez un titre au document." });
  return uploadDocument(form, `${base}/documents`, { title });
}
