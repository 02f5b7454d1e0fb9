/**
 * System and registry error codes (`ENOTFOUND`, `MANIFEST_UNKNOWN`…) put into words a person can
 * act on. Messages shown to users say what happened and what to do; the raw code goes to the log.
 */

const SYSTEM_WORDS: Readonly<Record<string, string>> = {
  // name resolution and connections
  ENOTFOUND: 'the host name cannot be found; check its spelling and the network',
  EAI_AGAIN: 'the host name cannot be looked up right now; check the network and try again',
  ECONNREFUSED: 'nothing is listening at that address; check the host and port, and that the service is running',
  ECONNRESET: 'the connection was cut off; try again',
  EPIPE: 'the connection was cut off while sending; try again',
  ETIMEDOUT: 'the connection timed out; check the network and try again',
  UND_ERR_CONNECT_TIMEOUT: 'the connection timed out; check the network and try again',
  UND_ERR_HEADERS_TIMEOUT: 'the server took too long to answer; try again',
  UND_ERR_BODY_TIMEOUT: 'the server stopped sending; try again',
  UND_ERR_SOCKET: 'the connection was cut off; try again',
  EHOSTUNREACH: 'the host cannot be reached from this network',
  ENETUNREACH: 'the network is unreachable; check the connection',
  ENETDOWN: 'the network is down; check the connection',
  // TLS
  EPROTO: 'the secure connection could not be set up; the address may serve plain HTTP, or an old protocol',
  ERR_SSL_WRONG_VERSION_NUMBER: 'the address does not speak HTTPS; it may serve plain HTTP',
  DEPTH_ZERO_SELF_SIGNED_CERT: 'the server presents a self-signed certificate this system does not trust',
  SELF_SIGNED_CERT_IN_CHAIN: 'the server’s certificate chain ends in a certificate this system does not trust',
  UNABLE_TO_VERIFY_LEAF_SIGNATURE: 'the server’s certificate cannot be checked: its issuer is not trusted here',
  UNABLE_TO_GET_ISSUER_CERT_LOCALLY: 'the server’s certificate cannot be checked: its issuer is not trusted here',
  CERT_HAS_EXPIRED: 'the server’s certificate has expired',
  CERT_NOT_YET_VALID: 'the server’s certificate is not valid yet; check this computer’s clock',
  ERR_TLS_CERT_ALTNAME_INVALID: 'the server’s certificate is for another host name',
  // files
  ENOENT: 'there is no such file or folder',
  ENOTDIR: 'a part of the path is not a folder',
  EISDIR: 'it is a folder, not a file',
  EACCES: 'permission denied; check who owns it and its permissions',
  EPERM: 'the system does not permit it',
  EEXIST: 'something with that name exists already',
  ENOSPC: 'the disk is full',
  EDQUOT: 'the disk quota is used up',
  EROFS: 'the file system is read-only',
  EMFILE: 'too many files are open; close some programs and try again',
  ENFILE: 'too many files are open on this system; try again',
  EBUSY: 'it is in use by another program',
  ENAMETOOLONG: 'the name is too long',
  ELOOP: 'the path loops through symbolic links',
  EXDEV: 'it cannot be moved across disks',
  EIO: 'the disk reported a read or write error',
};

/** Error codes of the OCI distribution spec and their meaning, for registry answers. */
const REGISTRY_WORDS: Readonly<Record<string, string>> = {
  BLOB_UNKNOWN: 'a blob is not in the repository',
  BLOB_UPLOAD_INVALID: 'the upload was refused as invalid',
  BLOB_UPLOAD_UNKNOWN: 'the upload is no longer known to the registry; try again',
  DIGEST_INVALID: 'the content does not match its digest',
  MANIFEST_BLOB_UNKNOWN: 'the manifest names a blob the registry does not hold',
  MANIFEST_INVALID: 'the registry refused the manifest as invalid',
  MANIFEST_UNKNOWN: 'the image is not there',
  MANIFEST_UNVERIFIED: 'the registry could not verify the manifest',
  NAME_INVALID: 'the repository name is not valid',
  NAME_UNKNOWN: 'the repository does not exist',
  SIZE_INVALID: 'the content does not have the size announced',
  TAG_INVALID: 'the tag is not valid',
  UNAUTHORIZED: 'the registry asks to sign in',
  DENIED: 'access was denied',
  UNSUPPORTED: 'the registry does not support this operation',
  TOOMANYREQUESTS: 'the registry is limiting requests',
  PAGINATION_NUMBER_INVALID: 'the registry refused the page size',
  RANGE_INVALID: 'the registry refused the upload range',
};

const CODE_SHAPE = /^[A-Z][A-Z0-9_]{2,}$/;

interface WithCode {
  code?: unknown;
  message?: unknown;
  cause?: unknown;
}

/** The system code an error carries, looking through `cause` (fetch wraps the socket's error). */
export function systemErrorCode(error: unknown): string | undefined {
  let current: unknown = error;
  for (let depth = 0; depth < 4 && current && typeof current === 'object'; depth += 1) {
    const code = (current as WithCode).code;
    if (typeof code === 'string' && CODE_SHAPE.test(code)) return code;
    current = (current as WithCode).cause;
  }
  return undefined;
}

/**
 * What went wrong, in words: the phrase for a known system code, otherwise the error's own
 * message with any leading `ECODE:` and trailing syscall detail removed. Never a bare code.
 */
export function describeSystemError(error: unknown): string {
  const code = systemErrorCode(error);
  if (code && SYSTEM_WORDS[code]) return SYSTEM_WORDS[code];
  const message = innermostMessage(error);
  const cleaned = message
    .replace(/^[A-Z][A-Z0-9_]{2,}:\s*/, '')
    .replace(/,\s*(open|stat|lstat|read|write|mkdir|rename|unlink|scandir|connect|getaddrinfo)\b.*$/, '')
    .replace(/\b(E[A-Z]{3,}|UND_ERR_[A-Z_]+|ERR_[A-Z_]+)\b/g, '')
    .replace(/\s{2,}/g, ' ')
    .trim();
  return cleaned.slice(0, 160) || 'an unexpected system error';
}

/** One registry error entry (`{code, message}` from a distribution error body) in words. */
export function describeRegistryErrorCode(code: string | undefined, message: string | undefined): string {
  if (code && REGISTRY_WORDS[code]) return REGISTRY_WORDS[code];
  const text = (message ?? '')
    .replace(/\b[A-Z][A-Z0-9]*_[A-Z0-9_]+\b/g, '')
    .replace(/\s{2,}/g, ' ')
    .trim();
  return text.slice(0, 160);
}

function innermostMessage(error: unknown): string {
  let current: unknown = error;
  let message = '';
  for (let depth = 0; depth < 4 && current && typeof current === 'object'; depth += 1) {
    const m = (current as WithCode).message;
    if (typeof m === 'string' && m && m !== 'fetch failed') message = m;
    current = (current as WithCode).cause;
  }
  if (!message && typeof error === 'string') message = error;
  return message;
}
