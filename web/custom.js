/* This file is part of the CRM for Tryton.  The COPYRIGHT file at the top
level of this repository contains the full copyright notices and license terms. */
/* Loaded by sao's index.html after the client: branding of the web client. */
Sao.config.title = 'CRM';
