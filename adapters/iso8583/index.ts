/** The ISO 8583 adapter's public surface: channels, packager, framing and mapping. */
export { Iso8583Server, type Iso8583ServerOptions, type Iso8583ServerStatistics } from './server';
export { Iso8583Client, type Iso8583ClientOptions, type Iso8583ClientState, type Iso8583ClientStatistics } from './client';
export type { ExchangeOutcome, NotSentReason } from './exchange-outcome';
export type { InboundAnswer, InboundContext, InboundFinancialHandler, InstitutionAuthorizer } from './inbound-financial-handler';
export { defaultConnectionLimits, type CloseReason, type ConnectionLimits } from './connection';
export { encodeFrame, FrameDecoder, FRAME_BODY_BYTES_MAX, FRAME_HEADER_BYTES } from './framing';
export { checkMessage, packMessage, unpackMessage, type UnpackFailure, type UnpackResult } from './packager';
export { fieldSpecifications, type FieldSpecification } from './field-specification';
export { isResponseMti, matchKey, responseMtiFor, type Iso8583Fields, type Iso8583Message } from './message';
export { buildNetworkManagementRequest, networkManagementCodes, type NetworkManagementCode } from './network-management';
export { StanAllocator } from './stan-allocator';
export { silentLogger, type Iso8583Logger } from './logger';
export * from './mapping';
