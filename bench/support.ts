// One entry for the benchmarks, so they load each core module once (tsx's tsImport gives every
// call its own module graph, and two copies of SignetError would not recognise each other).
export { pushCosignSignatures, pushTestImage, startKeyring, startRegistry } from '../tests/harness';
export { RegistryClient } from '../electron/core/registry/client';
export { signCosign } from '../electron/core/signatures/cosign';
export { verifyTags } from '../electron/core/signatures/batch';
export { verifyRawSignature } from '../electron/core/signing/verify-raw';
export { buildCosignPayload } from '../shared/payloads/payloads';
export { createCore } from '../electron/core/core';
export { MemorySecretStore } from '../electron/core/keys/secrets';
export { startRulesListener } from '../electron/core/rules/listener';
export { judgeCosignSignature } from '../electron/core/signatures/formats/cosign';
export { emptyTrust } from '../electron/core/signatures/trusted';
export { identityMatches } from '../electron/core/trust/identity';
export { parseNormalizedNamed } from '../electron/core/trust/docker-reference';
export { spkiSha256 } from '../electron/core/keys/generate';
export { digestOf } from '../electron/core/registry/digest';
export { repositoryStatus } from '../electron/core/signatures/repository-status';
export { signSimple, writeLookaside } from '../electron/core/signatures/simple';
export { signNotation } from '../electron/core/signatures/notation/sign';
export { generatePgpKey } from '../electron/core/keys/generate';
export { pgpSigner, softwareSigner } from '../electron/core/keys/signers';
export { makeCertificate } from '../electron/core/keys/x509';
