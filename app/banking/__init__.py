"""Bank transfers: structured communications, EPC QR codes and bank statements."""
