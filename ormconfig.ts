import 'reflect-metadata';
import { DataSource } from 'typeorm';
import { loadConfig } from './src/config/load-config';
import { buildDataSourceOptions, withUnboundedQueries } from './src/database/data-source-options';
import { ENTITIES } from './src/database/entities';

/** The DataSource for the TypeORM CLI (`npm run migration:run|revert|show`), configured like the server but for migrations. */
export default new DataSource({ ...withUnboundedQueries(buildDataSourceOptions(loadConfig(process.env).database)), entities: ENTITIES });
