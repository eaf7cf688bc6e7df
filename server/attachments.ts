/**
 * Attachments: what is accepted, decided from the content alone.
 *
 * - At most 3 files a message (a reply, or the first message of a ticket),
 *   each at most 5 MiB and not empty.
 * - Types, by magic bytes: PDF, PNG, JPEG, signed files (P7M, CAdES DER) and
 *   plain UTF-8 text. The file name and the client's Content-Type are never
 *   believed: `evil.pdf` holding HTML, SVG or an executable is refused
 *   (`attachment_type_refused`), and a PNG called `scan.pdf` is stored as
 *   `scan.pdf.png`, an image.
 * - Text is refused when it looks like markup (starts with `<`, or carries an
 *   HTML/SVG/XML tag in its first KiB): browsers sniff such files as HTML.
 * - The file name is kept only as metadata, sanitised: no path, no control or
 *   bidirectional characters, no characters that are special in headers or on
 *   common file systems, at most 120 characters, and an extension matching the
 *   sniffed type.
 *
 * Everything here is pure; storage is in attachment-store*.ts, HTTP in
 * http-attachments.ts. See docs/tickets.md.
 */
import { createHash, randomUUID } from 'node:crypto';
import { AppError, withExtra } from './errors.ts';

export const ATTACHMENT_LIMITS = {
  /** Largest file, in bytes (5 MiB). */
  maxBytes: 5 * 1024 * 1024,
  /** Most files a message carries. */
  maxFiles: 3,
  /** Longest stored file name, in characters. */
  filenameMax: 120,
} as const;

export const ATTACHMENT_TYPES = {
  'application/pdf': { extensions: ['pdf'], label: 'PDF' },
  'image/png': { extensions: ['png'], label: 'PNG' },
  'image/jpeg': { extensions: ['jpg', 'jpeg', 'jpe'], label: 'JPEG' },
  'application/pkcs7-mime': { extensions: ['p7m'], label: 'P7M (firmato digitalmente)' },
  'text/plain': { extensions: ['txt', 'text', 'log', 'csv'], label: 'testo' },
} as const;

export type AttachmentMediaType = keyof typeof ATTACHMENT_TYPES;

export function isAttachmentMediaType(value: unknown): value is AttachmentMediaType {
  return typeof value === 'string' && Object.hasOwn(ATTACHMENT_TYPES, value);
}

/** An accepted file, ready to be stored with its message. */
export interface NewAttachment {
  /** Public id (URLs). */
  id: string;
  /** Where the content is stored: random, unrelated to the id and to the name. */
  storageKey: string;
  filename: string;
  mediaType: AttachmentMediaType;
  size: number;
  sha256: string;
  content: Buffer;
}

/** An attachment as listed with its reply. */
export interface AttachmentMeta {
  id: string;
  ticketId: string;
  replySeq: number;
  n: number;
  filename: string;
  mediaType: AttachmentMediaType;
  size: number;
  createdAt: Date;
}

const PNG_SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];
/** OID 1.2.840.113549.1.7.2 (PKCS #7 signedData), DER-encoded with its tag and length. */
const SIGNED_DATA_OID = [0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x07, 0x02];
const MARKUP = /<\s*(!doctype|html|head|body|script|svg|iframe|object|embed|meta|link|style|img|a\s|\?xml|xml|x:|math)/i;

function startsWith(bytes: Uint8Array, signature: readonly number[], at = 0): boolean {
  if (bytes.length < at + signature.length) return false;
  return signature.every((b, i) => bytes[at + i] === b);
}

function ascii(bytes: Uint8Array, from: number, to: number): string {
  return String.fromCharCode(...bytes.subarray(from, Math.min(to, bytes.length)));
}

/**
 * The type of a file from its first bytes, or null when it is none of the
 * accepted ones. Only the content counts.
 */
export function sniff(bytes: Uint8Array): AttachmentMediaType | null {
  if (bytes.length === 0) return null;
  // PDF: "%PDF-1.x" or "%PDF-2.x" at the very start.
  if (/^%PDF-[12]\.\d/.test(ascii(bytes, 0, 8))) return 'application/pdf';
  // PNG: the 8-byte signature, then the IHDR chunk.
  if (startsWith(bytes, PNG_SIGNATURE) && ascii(bytes, 12, 16) === 'IHDR') return 'image/png';
  // JPEG: SOI followed by a marker.
  if (bytes.length >= 4 && bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[2] === 0xff) return 'image/jpeg';
  if (isSignedData(bytes)) return 'application/pkcs7-mime';
  if (isPlainText(bytes)) return 'text/plain';
  return null;
}

/** A DER (or BER, indefinite length) SEQUENCE whose first element is the signedData OID. */
function isSignedData(bytes: Uint8Array): boolean {
  if (bytes.length < 16 || bytes[0] !== 0x30) return false;
  const len = bytes[1]!;
  let at: number;
  if (len < 0x80) at = 2;
  else if (len === 0x80) at = 2;
  else {
    const n = len & 0x7f;
    if (n < 1 || n > 4) return false;
    at = 2 + n;
  }
  return startsWith(bytes, SIGNED_DATA_OID, at);
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

/** Valid UTF-8, no control characters but tab, new line, carriage return and form feed, no markup. */
function isPlainText(bytes: Uint8Array): boolean {
  let text: string;
  try {
    text = utf8.decode(bytes);
  } catch {
    return false;
  }
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u0008\u000b\u000e-\u001f\u007f]/.test(text)) return false;
  const head = text.slice(0, 1024);
  if (head.trimStart().startsWith('<')) return false;
  if (MARKUP.test(head)) return false;
  return text.trim().length > 0;
}

// Controls (C0, C1), zero-width and bidirectional formatting characters, BOM.
// eslint-disable-next-line no-control-regex
const INVISIBLE = /[\u0000-\u001f\u007f-\u009f\u00ad\u061c\u180e\u200b-\u200f\u2028-\u202e\u2060-\u206f\ufeff\ufff9-\ufffb]/g;
/** Reserved on Windows, or special in headers and URLs. */
const RESERVED = /[<>:"/\\|?*;%`]/g;
const DEVICE_NAMES = /^(con|prn|aux|nul|com\d|lpt\d)$/i;

/**
 * The name a file is stored and offered under: the user's base name,
 * sanitised, with an extension that matches the sniffed type.
 */
export function sanitizeFilename(raw: unknown, mediaType: AttachmentMediaType): string {
  const wanted = ATTACHMENT_TYPES[mediaType].extensions as readonly string[];
  let name = typeof raw === 'string' ? raw : '';
  name = name.normalize('NFC');
  name = name.split(/[\\/]/).pop() ?? '';
  name = name.replace(INVISIBLE, '').replace(RESERVED, '_').replace(/\s+/g, ' ');
  name = trimDotsAndSpaces(name, true);
  const dot = name.lastIndexOf('.');
  let base = dot > 0 ? name.slice(0, dot) : name;
  let ext = dot > 0 ? name.slice(dot + 1).toLowerCase() : '';
  if (!wanted.includes(ext)) {
    // keep what the user called it ("scan.pdf" → "scan.pdf.png") but never the misleading extension alone
    base = name;
    ext = wanted[0]!;
  }
  base = trimDotsAndSpaces(base, false);
  if (base === '') base = 'allegato';
  if (DEVICE_NAMES.test(base.split('.')[0]!)) base = `_${base}`;
  const room = ATTACHMENT_LIMITS.filenameMax - ext.length - 1;
  const chars = [...base];
  if (chars.length > room) base = trimDotsAndSpaces(chars.slice(0, room).join(''), false) || 'allegato';
  return `${base}.${ext}`;
}

/**
 * The name without the dots and spaces at its end (and at its start when `start`). A loop,
 * not /[\s.]+$/: V8 tries that regex from every dot of a long run, so a multipart file name
 * of 80 KiB of ". " cost seconds of the event loop per file (quadratic backtracking).
 * Whitespace is already folded to single spaces by the caller.
 */
function trimDotsAndSpaces(name: string, start: boolean): string {
  const trimmed = (c: string | undefined) => c === '.' || c === ' ';
  let from = 0;
  let to = name.length;
  if (start) while (from < to && trimmed(name[from])) from++;
  while (to > from && trimmed(name[to - 1])) to--;
  return name.slice(from, to);
}

/**
 * `Content-Disposition: attachment` with an ASCII fallback and the exact name
 * in RFC 5987 form (`filename*=UTF-8''…`), for a name from sanitizeFilename.
 */
export function contentDisposition(filename: string): string {
  const fallback = filename
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .replace(/[^\x20-\x7e]/g, '_')
    .replace(/["\\]/g, '_');
  const encoded = encodeURIComponent(filename).replace(/['()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
  return `attachment; filename="${fallback}"; filename*=UTF-8''${encoded}`;
}

/** The Content-Type a stored attachment is served with. */
export function servedContentType(mediaType: AttachmentMediaType): string {
  return mediaType === 'text/plain' ? 'text/plain; charset=utf-8' : mediaType;
}

/**
 * Checks one received file and readies it for storage. Throws
 * `attachment_too_large` (413), `attachment_type_refused` (415) or
 * `validation_failed` (empty file).
 */
export function acceptAttachment(filename: unknown, content: Buffer, newId: () => string = randomUUID): NewAttachment {
  // The name goes in the answer's `file` too: the page says which file, not "an attachment".
  if (content.length > ATTACHMENT_LIMITS.maxBytes) throw refusedFile('attachment_too_large', filename);
  if (content.length === 0) throw new AppError('validation_failed', `the file ${shortName(filename)} is empty`);
  const mediaType = sniff(content);
  if (mediaType === null) throw refusedFile('attachment_type_refused', filename);
  return {
    id: newId(),
    storageKey: newId(),
    filename: sanitizeFilename(filename, mediaType),
    mediaType,
    size: content.length,
    sha256: createHash('sha256').update(content).digest('hex'),
    content,
  };
}

/** A refusal that names the file, in the message and in the body's `file` (sanitised, at most 60 characters). */
export function refusedFile(code: 'attachment_type_refused' | 'attachment_too_large', raw: unknown): AppError {
  const file = shortName(raw);
  return withExtra(new AppError(code, file), { file });
}

/** The file name as it may appear in an error message: sanitised, short. */
function shortName(raw: unknown): string {
  const name = typeof raw === 'string' ? raw.normalize('NFC').replace(INVISIBLE, '').split(/[\\/]/).pop()! : '';
  const chars = [...name];
  // Cut, it says so: "scansione-del-modulo-…" rather than a name that seems whole.
  const cut = chars.length > 60 ? `${chars.slice(0, 59).join('')}…` : chars.join('');
  return cut === '' ? '(senza nome)' : cut;
}
