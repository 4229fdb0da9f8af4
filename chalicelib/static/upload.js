// A file straight to S3 (docs/orders.md, docs/api.md): the API's presigned POST, the file itself, then the
// confirmation, where the server reads the bytes. The type checked here only spares a useless round trip.
import { post } from "./api.js";
import { FormProblem } from "./ui.js";

const FILE_TYPES = { pdf: "application/pdf", jpg: "image/jpeg", jpeg: "image/jpeg", png: "image/png" };

// documentsPath: the collection the presigned POST is asked from (…/documents); fields: what it needs besides the file.
export async function uploadDocument(form, documentsPath, fields) {
  const file = form.elements.namedItem("file").files[0];
  if (!file) throw new FormProblem({ file: "Choisissez un fichier." });
  const type = FILE_TYPES[file.name.split(".").pop().toLowerCase()] || file.type;
  if (!Object.values(FILE_TYPES).includes(type)) throw new FormProblem({ file: "Un PDF, une image JPEG ou PNG." });
  const presigned = await post(documentsPath, { ...fields, filename: file.name, content_type: type });
  const data = new FormData();
  for (const [name, value] of Object.entries(presigned.fields)) data.append(name, value);
  data.append("file", file); // last: S3 ignores the fields after the file
  let sent;
  try {
    sent = await fetch(presigned.url, { method: "POST", body: data });
  } catch {
    sent = null;
  }
  if (!sent || !sent.ok) throw new FormProblem({}, "Le fichier n'a pas pu être envoyé (10 Mo au plus) : réessayez.");
  return post(`${documentsPath}/${presigned.document.id}/confirm`);
}
