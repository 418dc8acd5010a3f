import { X509Certificate } from 'node:crypto';
import { certificateSubjectLengthMax, type ClientCertificateBinding } from '../../core/participants/client-certificate';
import type { NewClientCertificate } from '../../core/participants/participant-decider';
import { HttpError } from '../http-error';
import { principalOf } from '../request-context';
import { bodyOf } from '../route-helpers';
import type { RouteModule } from '../route-kit';
import { participantClientCertificateParams, participantIdParams, registerClientCertificateSchema } from '../schemas/participant-schemas';
import { parseInput } from '../validation';

/**
 * Client certificates bound to a participant for mutual TLS (issue 15), the operator's to manage: with
 * HISAAB_TLS_CLIENT_CA set, the participant's requests and its bank host's ISO 8583 sign-on must come over one
 * of them. Binding works whether or not mutual TLS is on, so that certificates are in place before it is.
 */
export const participantClientCertificateRoutes: RouteModule = (router, kit) => {
  router.post('/v1/participants/:id/client-certificates', kit.allow('operator'), async (request, response) => {
    const { id } = parseInput(participantIdParams, request.params, 'path');
    await kit.idempotency.run(request, response, principalOf(request), async (reference) => {
      const body = parseInput(registerClientCertificateSchema, bodyOf(request), 'body');
      const certificate = body.certificate === undefined ? fingerprintOnly(body.fingerprint256) : certificateDetails(body.certificate);
      const receipt = await kit.dependencies.participants.registerClientCertificate(
        id,
        certificate,
        reference,
        kit.commandContext(request),
      );
      // The participant's very next request is checked against the client-certificates projection.
      await kit.waitForWrite(receipt.position);
      const bound = (await kit.dependencies.participants.requireParticipant(id)).clientCertificates.find(
        (binding) => binding.fingerprint256 === certificate.fingerprint256,
      );
      return { status: 201, body: toBody(bound ?? { ...certificate, registeredAt: kit.dependencies.now().toISOString() }) };
    });
  });

  router.get('/v1/participants/:id/client-certificates', kit.allow('operator'), async (request, response) => {
    const { id } = parseInput(participantIdParams, request.params, 'path');
    const participant = await kit.dependencies.participants.requireParticipant(id);
    response.json({ clientCertificates: participant.clientCertificates.map(toBody) });
  });

  router.delete('/v1/participants/:id/client-certificates/:fingerprint256', kit.allow('operator'), async (request, response) => {
    const { id, fingerprint256 } = parseInput(participantClientCertificateParams, request.params, 'path');
    const receipt = await kit.dependencies.participants.revokeClientCertificate(id, fingerprint256, kit.commandContext(request));
    await kit.waitForWrite(receipt.position);
    response.status(204).end();
  });
};

function fingerprintOnly(fingerprint256: string | undefined): NewClientCertificate {
  if (fingerprint256 === undefined) throw new HttpError('VALIDATION_FAILED', 'send either fingerprint256 or certificate (PEM)');
  return { fingerprint256, subject: null, notAfter: null };
}

/** The fingerprint, subject and expiry of a PEM certificate, as Node's TLS reports them for a connection. */
function certificateDetails(pem: string): NewClientCertificate {
  let certificate: X509Certificate;
  try {
    certificate = new X509Certificate(pem);
  } catch {
    throw new HttpError('VALIDATION_FAILED', 'certificate is not a PEM X.509 certificate that parses', [
      { path: 'body.certificate', message: 'does not parse as an X.509 certificate' },
    ]);
  }
  const notAfter = new Date(certificate.validTo);
  return {
    fingerprint256: certificate.fingerprint256,
    subject: certificate.subject.replaceAll('\n', ', ').slice(0, certificateSubjectLengthMax),
    notAfter: Number.isNaN(notAfter.getTime()) ? null : notAfter.toISOString(),
  };
}

function toBody(binding: ClientCertificateBinding): ClientCertificateBinding {
  return {
    fingerprint256: binding.fingerprint256,
    subject: binding.subject,
    notAfter: binding.notAfter,
    registeredAt: binding.registeredAt,
  };
}
