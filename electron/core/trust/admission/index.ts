import type { AdmissionTarget } from '../../../../shared/models/trust';
import type { AdmissionExporter } from './format';
import { cceExporter } from './cce';
import { kbsExporter } from './kbs';
import { kyvernoExporter } from './kyverno';
import { kyvernoIvpExporter } from './kyverno-ivp';
import { policyControllerExporter } from './policy-controller';

/** Every admission target Signet generates policies for, keyed by the contract's ids: a missing module is a compile error. */
export const ADMISSION_EXPORTERS: Readonly<Record<AdmissionTarget, AdmissionExporter>> = {
  kyverno: kyvernoExporter,
  'kyverno-ivp': kyvernoIvpExporter,
  'policy-controller': policyControllerExporter,
  kbs: kbsExporter,
  cce: cceExporter,
};
