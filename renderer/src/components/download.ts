/** Saves bytes as a file through the browser's download, from text or base64. */
export function downloadFile(name: string, content: { text: string } | { base64: string }): void {
  const bytes = 'text' in content ? new TextEncoder().encode(content.text) : Uint8Array.from(atob(content.base64), (c) => c.charCodeAt(0));
  const url = URL.createObjectURL(new Blob([bytes], { type: 'application/octet-stream' }));
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  a.click();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}
