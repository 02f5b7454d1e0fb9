/**
 * What the audit log writes of a reference a person typed: a PIN given inside a pkcs11: URI
 * (`pin-value=`, RFC 7512) and a password inside a URL's user part are replaced. The audit module
 * keeps its own copy of the rule (it depends on no signing module); pkcs11/uri.ts has the same.
 */
export function redactReference(text: string): string {
  return text
    .replace(/((?:pin|PIN|Pin)(?:-|%2[dD])(?:value|VALUE|Value)=)[^&;#\s"'<>]*/g, '$1REDACTED')
    .replace(/(\/\/[^/@:\s]*:)[^/@\s]*@/g, '$1REDACTED@');
}
