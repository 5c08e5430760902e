CREATE DATABASE mcn_sandbox OWNER mcn;
