// The customer's questions on a proposal, each with the seller's answers and a form to answer
// it (POST /proposals/{id}/questions/{qid}/answer): the customer gets the answer by email and
// reads it on the portal under the question.
import { post } from "../api.js";
import { userName } from "../context.js";
import { reload } from "../nav.js";
import { add, busy, field, h, showErrors, textarea, toast, when } from "../ui.js";

const ANSWER_MAX = 2000;

export function questionsCard(view, users) {
  if (!view.questions.length) return null;
  return h("section", { class: "card", "aria-labelledby": "questions-title" },
    h("h2", { id: "questions-title" }, "Questions du client"),
    view.questions.map((question, index) => h("article", { class: "question" },
      h("p", { class: "muted small" }, "Question du client, ", h("time", { datetime: question.at }, when(question.at))),
      h("p", { class: "pre" }, question.text),
      question.answers.map((answer) => h("div", { class: "answer" },
        h("p", { class: "muted small" }, `Réponse de ${userName(users, answer.by)}, `,
          h("time", { datetime: answer.at }, when(answer.at))),
        h("p", { class: "pre" }, answer.text))),
      answerForm(view.proposal.id, question, index))));
}

function answerForm(proposalId, question, index) {
  const form = h("form", { class: "answer-form", novalidate: true });
  const button = h("button", { type: "submit", class: "primary" },
    question.answers.length ? "Répondre à nouveau" : "Répondre");
  add(form,
    field(`Votre réponse à la question ${index + 1}`,
      textarea("answer", "", { maxlength: ANSWER_MAX, rows: 3, required: true }),
      { hint: "Envoyée au client par e-mail et affichée sous sa question sur sa page." }),
    h("div", { class: "actions" }, button));
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    busy(button, "Envoi…", async () => {
      try {
        await post(`/proposals/${proposalId}/questions/${question.id}/answer`, { answer: form.elements.answer.value });
        toast("Réponse envoyée au client.");
        reload();
      } catch (error) {
        showErrors(form, error);
      }
    });
  });
  return form;
}
