/**
 * Sample files for the attachment suites, as their first bytes decide: the
 * types a ticket accepts (PDF, PNG, JPEG, signed P7M, plain text) and the ones
 * sniffing must refuse, whatever name or type a client gives them.
 */

export const PNG = Buffer.from(
  '89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c4890000000d4944415478da63f8cfc0f01f0005000201e2273b6a0000000049454e44ae426082',
  'hex',
);
export const JPEG = Buffer.concat([Buffer.from('ffd8ffe000104a46494600010100000100010000', 'hex'), Buffer.alloc(64, 0x20), Buffer.from('ffd9', 'hex')]);
export const PDF = Buffer.from('%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n');
export const P7M = Buffer.concat([Buffer.from('3082040a06092a864886f70d010702a08203fb', 'hex'), Buffer.alloc(32, 1)]);
export const TEXT = Buffer.from('Buongiorno,\ninvio la matricola 1234567890 e il periodo richiesto.\nCordiali saluti\n');
export const HTML = Buffer.from('<!doctype html><html><body><script>alert(document.cookie)</script></body></html>');
export const SVG = Buffer.from('<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"><circle r="4"/></svg>');
export const EXE = Buffer.concat([Buffer.from('MZ'), Buffer.alloc(126, 0x90), Buffer.from('PE\0\0')]);
export const ZIP = Buffer.concat([Buffer.from('504b0304', 'hex'), Buffer.alloc(40, 0)]);
export const GIF = Buffer.from('GIF89a\x01\x00\x01\x00\x80\x00\x00', 'binary');

/** A valid-looking PDF of exactly `bytes` bytes (for the size limits). */
export function pdfOfSize(bytes: number): Buffer {
  const head = Buffer.from('%PDF-1.4\n');
  return Buffer.concat([head, Buffer.alloc(bytes - head.length, 0x25)]);
}

