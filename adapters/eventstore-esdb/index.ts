/** The EventStoreDB / KurrentDB adapter of the event store port. */
export { EsdbEventStore } from './esdb-event-store';
export { EsdbAdapterError } from './esdb-errors';
export { redactConnectionString } from './esdb-connection-string';
