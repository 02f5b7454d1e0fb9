/** A file's bytes as base64, in chunks (String.fromCharCode takes a bounded number of arguments). */
export async function fileToBase64(file: File): Promise<string> {
  const bytes = new Uint8Array(await file.arrayBuffer());
  let binary = '';
  for (let i = 0; i < bytes.length; i += 0x8000) binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(binary);
}

/**
 * A key or certificate file as the contract carries it: text when it is text (PEM, armored
 * OpenPGP), base64 when it is binary (gpg --export without --armor starts with a packet tag,
 * whose top bit is set; DER starts with 0x30 but is not valid text either).
 */
export async function readKeyFile(file: File): Promise<{ text: string; encoding: 'text' | 'base64' }> {
  const bytes = new Uint8Array(await file.arrayBuffer());
  const binary = bytes.length > 0 && ((bytes[0]! & 0x80) !== 0 || bytes.includes(0));
  return binary ? { text: await fileToBase64(file), encoding: 'base64' } : { text: new TextDecoder().decode(bytes), encoding: 'text' };
}
