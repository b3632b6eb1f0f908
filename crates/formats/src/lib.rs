pub mod anaf_zip;
pub mod csv_write;
pub mod rates;
pub mod rows;
pub mod table;
pub mod ubl;
pub mod ubl_write;
