/**
 * Reading a multipart ticket message (http-attachments.ts): its text fields
 * and its files, each file read in full, sniffed and checked (attachments.ts)
 * before anything is written, and @fastify/multipart's limit errors said in
 * the registry's words. Apart from the routes so that those stay about what
 * is asked and answered, and this about how the bytes arrive.
 */
import type { FastifyRequest } from 'fastify';
import { ATTACHMENT_LIMITS, acceptAttachment, refusedFile, type NewAttachment } from './attachments.ts';
import { AppError } from './errors.ts';
import { TICKET_LIMITS } from './ticket-rules.ts';

/** The field name files go under, repeated. */
const FILE_FIELD = 'files';

/**
 * Reads a multipart message: its text fields (only `allowed` ones, each
 * once) and its files, each checked and sniffed. Throws on the first problem,
 * having stored nothing.
 */
export async function readMessage(request: FastifyRequest, allowed: readonly string[]): Promise<{ fields: Record<string, string>; files: NewAttachment[] }> {
  const fields: Record<string, string> = Object.create(null);
  const files: NewAttachment[] = [];
  try {
    const parts = request.parts({
      limits: {
        fileSize: ATTACHMENT_LIMITS.maxBytes,
        // one more than accepted, so a fourth file is seen and refused as such
        files: ATTACHMENT_LIMITS.maxFiles + 1,
        fields: allowed.length + 2,
        fieldSize: TICKET_LIMITS.bodyMax * 4,
        parts: allowed.length + ATTACHMENT_LIMITS.maxFiles + 4,
        headerPairs: 20,
      },
    });
    for await (const part of parts) {
      if (part.type === 'file') {
        if (part.fieldname !== FILE_FIELD) {
          part.file.resume();
          throw new AppError('validation_failed', `files go under the field name "${FILE_FIELD}"`);
        }
        const content = await readFile(part.file, part.filename);
        if (content.length === 0 && !part.filename) continue; // a file input left empty
        if (files.length === ATTACHMENT_LIMITS.maxFiles) throw new AppError('too_many_attachments', String(ATTACHMENT_LIMITS.maxFiles));
        files.push(acceptAttachment(part.filename, content));
      } else {
        const name = part.fieldname;
        if (!allowed.includes(name)) throw new AppError('validation_failed', `unknown field ${name.slice(0, 40)}`);
        if (Object.hasOwn(fields, name)) throw new AppError('validation_failed', `${name} is given twice`);
        if (part.valueTruncated) throw new AppError('validation_failed', `${name} is too long`);
        const value = String(part.value);
        // Not JSON, so not mended on the way in (input-text.ts): PostgreSQL refuses U+0000 in text.
        if (value.includes('\u0000')) throw new AppError('validation_failed', `${name} contains a NUL character (U+0000)`);
        fields[name] = value;
      }
    }
  } catch (err) {
    drain(request);
    throw multipartError(err);
  }
  return { fields, files };
}

/** The whole file, or attachment_too_large as soon as it passes the limit. */
async function readFile(stream: NodeJS.ReadableStream & { truncated?: boolean }, filename: string): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of stream) {
    const buf = chunk as Buffer;
    size += buf.length;
    if (stream.truncated || size > ATTACHMENT_LIMITS.maxBytes) {
      stream.resume();
      throw refusedFile('attachment_too_large', filename);
    }
    chunks.push(buf);
  }
  if (stream.truncated) throw refusedFile('attachment_too_large', filename);
  return Buffer.concat(chunks, size);
}

/** After a refusal: let the rest of the upload flow to nowhere, so the answer is read and the connection freed. */
function drain(request: FastifyRequest): void {
  request.raw.unpipe();
  request.raw.resume();
}

/** @fastify/multipart's own limit errors, in the registry's words. */
function multipartError(err: unknown): unknown {
  if (err instanceof AppError) return err;
  const code = (err as { code?: unknown })?.code;
  switch (code) {
    case 'FST_FILES_LIMIT':
      return new AppError('too_many_attachments', String(ATTACHMENT_LIMITS.maxFiles));
    case 'FST_REQ_FILE_TOO_LARGE':
      return new AppError('attachment_too_large', '');
    case 'FST_PARTS_LIMIT':
    case 'FST_FIELDS_LIMIT':
      return new AppError('validation_failed', 'too many fields');
    case 'FST_PROTO_VIOLATION':
      return new AppError('validation_failed', 'a field name is not allowed');
    case 'FST_INVALID_MULTIPART_CONTENT_TYPE':
      return new AppError('bad_request', 'not a multipart body');
    default:
      if (err instanceof Error && /multipart|boundary|Unexpected end of form|Part terminated/i.test(err.message)) return new AppError('bad_request', 'the multipart body is malformed');
      return err;
  }
}
