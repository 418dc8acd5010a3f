/** The bridge between the ISO 8583 protocol layer (adapters/iso8583) and the switch: outbound to banks, inbound from them. */
export { Iso8583BankGateway, iso8583GatewayDefaults, type Iso8583BankGatewayOptions, type Iso8583BankGatewayStatistics } from './iso8583-bank-gateway';
export { InboundTransferHandler, ISO8583_CHANNEL, BANK_REVERSAL_REASON, type InboundTransfers } from './inbound-transfer-handler';
export { bankInstitutionAuthorizer, type HostResolver, type InstitutionAuthorizerOptions } from './institution-authorizer';
export { transferLookupFromStore, type OriginalTransfer, type OriginalTransferLookup } from './original-transfer';
export { outboundIdentifiers, type OutboundIdentifiers } from './outbound-identifiers';
export { bankEndpointOf, parseHostPort, type BankEndpoint } from './bank-endpoint';
export { Iso8583Channel, ISO8583_OUTBOX_CHANNEL, type Iso8583ChannelOptions, type Iso8583ListenOptions } from './iso8583-channel';
