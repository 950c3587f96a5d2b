/**
 * PostgreSQL tables of the fund's basic data, notices, deposit records and bills (FundRegistry). Each row
 * keeps the domain value whole as JSON plus the key columns that references, scopes and once-only rules
 * need: foreign keys area → building → entrance → household; a bill number is stocked once (primary key)
 * and used once (`fund_bills.deposit_id` and `fund_deposits.bill_no` unique, the latter referencing the
 * bill); a notice is paid by one deposit; the change trail (M12) is append-only in commit order.
 * Migration versions of this area are 1400–1499; released migrations are frozen.
 */
import type { Migration } from "./Migration.js"

const ID = (col: string) => `${col} text collate "C" not null check (char_length(${col}) between 1 and 100)`

export const FUND_REGISTRY_MIGRATIONS: ReadonlyArray<Migration> = [
  {
    version: 1400,
    name: "fund-registry",
    statements: (s) => [
      `create table ${s}.fund_areas (
        ${ID("id")}, district text, data jsonb not null,
        constraint fund_areas_pkey primary key (id))`,
      `create index fund_areas_district_idx on ${s}.fund_areas (district, id)`,
      `create table ${s}.fund_buildings (
        ${ID("id")}, area_id text collate "C" not null, data jsonb not null,
        constraint fund_buildings_pkey primary key (id),
        constraint fund_buildings_area_fkey foreign key (area_id) references ${s}.fund_areas (id))`,
      `create index fund_buildings_area_idx on ${s}.fund_buildings (area_id)`,
      `create table ${s}.fund_entrances (
        ${ID("id")}, building_id text collate "C" not null, data jsonb not null,
        constraint fund_entrances_pkey primary key (id),
        constraint fund_entrances_building_fkey foreign key (building_id) references ${s}.fund_buildings (id))`,
      `create index fund_entrances_building_idx on ${s}.fund_entrances (building_id)`,
      `create table ${s}.fund_households (
        ${ID("id")}, entrance_id text collate "C" not null, data jsonb not null,
        constraint fund_households_pkey primary key (id),
        constraint fund_households_entrance_fkey foreign key (entrance_id) references ${s}.fund_entrances (id))`,
      `create index fund_households_entrance_idx on ${s}.fund_households (entrance_id)`,
      `create table ${s}.fund_owners (
        ${ID("id")}, id_index text, data jsonb not null,
        constraint fund_owners_pkey primary key (id))`,
      `create index fund_owners_index_idx on ${s}.fund_owners (id_index) where id_index is not null`,
      `create table ${s}.fund_organisations (
        ${ID("id")}, kind text not null, data jsonb not null,
        constraint fund_organisations_pkey primary key (id))`,
      `create table ${s}.fund_facility_categories (
        ${ID("id")}, parent_id text collate "C", data jsonb not null,
        constraint fund_facility_categories_pkey primary key (id),
        constraint fund_facility_categories_parent_fkey foreign key (parent_id)
          references ${s}.fund_facility_categories (id))`,
      `create table ${s}.fund_facilities (
        ${ID("id")}, area_id text collate "C" not null, category_id text collate "C" not null, data jsonb not null,
        constraint fund_facilities_pkey primary key (id),
        constraint fund_facilities_area_fkey foreign key (area_id) references ${s}.fund_areas (id),
        constraint fund_facilities_category_fkey foreign key (category_id) references ${s}.fund_facility_categories (id))`,
      `create table ${s}.fund_facility_records (
        ${ID("id")}, facility_id text collate "C" not null, data jsonb not null,
        constraint fund_facility_records_pkey primary key (id),
        constraint fund_facility_records_facility_fkey foreign key (facility_id) references ${s}.fund_facilities (id))`,
      `create table ${s}.fund_changes (
        seq bigint generated always as identity, ${ID("id")}, area_id text collate "C", subject text not null,
        data jsonb not null,
        constraint fund_changes_pkey primary key (seq),
        constraint fund_changes_id_key unique (id))`,
      `create index fund_changes_subject_idx on ${s}.fund_changes (subject, seq)`,
      `create index fund_changes_area_idx on ${s}.fund_changes (area_id, seq)`,
      `create table ${s}.fund_bills (
        number text collate "C" not null check (number ~ '^[A-Za-z0-9][A-Za-z0-9-]{0,39}$'),
        batch text not null,
        status text not null check (status in ('in-stock', 'issued', 'used', 'voided', 'written-off')),
        staff text,
        deposit_id text collate "C",
        data jsonb not null,
        constraint fund_bills_pkey primary key (number),
        constraint fund_bills_deposit_key unique (deposit_id),
        constraint fund_bills_used_check check (status <> 'used' or deposit_id is not null))`,
      `create index fund_bills_status_idx on ${s}.fund_bills (status, staff, number)`,
      `create table ${s}.fund_notices (
        ${ID("id")}, household text collate "C" not null, status text not null check (status in ('open', 'paid', 'cancelled')),
        deposit_id text collate "C", data jsonb not null,
        constraint fund_notices_pkey primary key (id),
        constraint fund_notices_deposit_key unique (deposit_id),
        constraint fund_notices_household_fkey foreign key (household) references ${s}.fund_households (id))`,
      `create index fund_notices_household_idx on ${s}.fund_notices (household)`,
      `create table ${s}.fund_deposits (
        ${ID("id")}, household text collate "C" not null, entry_id text collate "C" not null,
        bill_no text collate "C", notice_id text collate "C", deposit_date date not null, data jsonb not null,
        constraint fund_deposits_pkey primary key (id),
        constraint fund_deposits_bill_key unique (bill_no),
        constraint fund_deposits_notice_key unique (notice_id),
        constraint fund_deposits_bill_fkey foreign key (bill_no) references ${s}.fund_bills (number),
        constraint fund_deposits_household_fkey foreign key (household) references ${s}.fund_households (id))`,
      `create index fund_deposits_household_idx on ${s}.fund_deposits (household, deposit_date, id)`,
    ],
  },
]
