/** The signature tables' columns (registry signatures, attestations, OCIR signatures): one layout, read from 1280 px. */
export function SignatureTableHead() {
  return (
    <>
      <colgroup>
        <col style={{ width: '15%' }} />
        <col style={{ width: '35%' }} />
        <col style={{ width: '21%' }} />
        <col style={{ width: '29%' }} />
      </colgroup>
      <thead>
        <tr>
          <th scope="col">Format</th>
          <th scope="col">Signer</th>
          <th scope="col">Date</th>
          <th scope="col">Result</th>
        </tr>
      </thead>
    </>
  );
}
