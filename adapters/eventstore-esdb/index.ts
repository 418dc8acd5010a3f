/** The EventStoreDB / KurrentDB adapter of the event store port. */
export { EsdbEventStore, esdbEventStoreDefaults, type EsdbEventStoreOptions } from './esdb-event-store';
export { EsdbAdapterError, type EsdbErrorCode } from './esdb-errors';
export { checkConnectionString, redactConnectionString } from './esdb-connection-string';
